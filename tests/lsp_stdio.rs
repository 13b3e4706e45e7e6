//! End-to-end over the real transport: the built `verbatim lsp --stdio` binary, Content-Length framing on its
//! stdin/stdout. Nothing but protocol messages may appear on stdout; the process exits 0 after shutdown/exit.
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{file_uri, Basic, DRIFT};
use serde_json::{json, Value};

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn binary_serves_lsp_on_stdio() {
    let ws = Basic::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Value>();
    let reader = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').expect("a header line");
                assert_eq!(name, "Content-Length", "only framed messages on stdout");
                length = value.trim().parse::<usize>().ok();
            }
            let mut body = vec![0; length.expect("a Content-Length")];
            reader.read_exact(&mut body).unwrap();
            let _ = tx.send(serde_json::from_slice(&body).expect("JSON on stdout"));
        }
    });
    let mut send = |message: Value| {
        stdin
            .write_all(&frame(&message))
            .and_then(|_| stdin.flush())
            .unwrap()
    };
    let wait = |matches: &dyn Fn(&Value) -> bool| -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let message = rx.recv_timeout(left).expect("the server answered in time");
            if matches(&message) {
                return message;
            }
        }
    };
    send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": file_uri(&ws.root), "capabilities": {} }
    }));
    let initialized = wait(&|m| m["id"] == 1);
    assert_eq!(initialized["result"]["serverInfo"]["name"], "verbatim");
    send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    send(json!({
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": ws.draft_uri, "languageId": "markdown", "version": 1, "text": ws.draft } }
    }));
    let published = wait(&|m| m["method"] == "textDocument/publishDiagnostics");
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "drift" && common::text_in(&ws.draft, &d["range"]) == DRIFT),
        "{diagnostics:#?}"
    );
    send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }));
    wait(&|m| m["id"] == 2);
    send(json!({ "jsonrpc": "2.0", "method": "exit", "params": null }));
    // Exits promptly even though the client keeps its end of stdin open.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not exit after `exit`"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status}");
    drop(stdin);
    reader.join().unwrap();
}
