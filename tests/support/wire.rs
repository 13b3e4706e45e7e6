//! The LSP wire shared by every test client (included with `#[path]` by `tests/support/process.rs`, which
//! `tests/common/mod.rs` re-exports, and by `fuzz/harness.rs`): Content-Length frames, written and read (blocking or
//! async) with a strict check that the server writes nothing but framed JSON, the answers a fake editor gives
//! to the server's requests, and `file:` URIs. It uses only `std`, `serde_json` and `tokio`, which the fuzz
//! crate has too.
#![allow(dead_code)]

use std::path::Path;

use serde_json::{json, Value};

/// One message framed with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON message, framed.
pub fn frame_message(message: &Value) -> Vec<u8> {
    frame(message.to_string().as_bytes())
}

/// What the server wrote next.
#[derive(Debug)]
pub enum Frame {
    /// A framed JSON message.
    Message(Value),
    /// Something other than a framed JSON message (the text says what): a test failure.
    Garbage(String),
    /// The end of the output (or a read error).
    End,
}

/// The headers of one frame, line by line.
#[derive(Default)]
struct Headers {
    length: Option<usize>,
    garbage: Option<String>,
}

impl Headers {
    /// Takes one header line (without its line break); `true` at the empty line that ends the headers.
    fn line(&mut self, line: &str) -> bool {
        let line = line.trim_end();
        if line.is_empty() {
            return true;
        }
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                self.length = value.trim().parse::<usize>().ok();
            }
            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
            _ => {
                self.garbage.get_or_insert_with(|| line.to_string());
            }
        }
        false
    }

    fn finish(self) -> Result<usize, Frame> {
        if let Some(garbage) = self.garbage {
            return Err(Frame::Garbage(garbage));
        }
        self.length
            .ok_or_else(|| Frame::Garbage("a message without Content-Length".to_string()))
    }
}

fn message(body: &[u8]) -> Frame {
    match serde_json::from_slice::<Value>(body) {
        Ok(message) => Frame::Message(message),
        Err(_) => Frame::Garbage(String::from_utf8_lossy(body).into_owned()),
    }
}

/// Reads the next frame from a blocking reader.
pub fn read_frame<R: std::io::BufRead>(reader: &mut R) -> Frame {
    let mut headers = Headers::default();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return Frame::End;
        }
        if headers.line(&line) {
            break;
        }
    }
    let length = match headers.finish() {
        Ok(length) => length,
        Err(garbage) => return garbage,
    };
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return Frame::End;
    }
    message(&body)
}

/// Reads the next frame from an async reader.
pub async fn read_frame_async<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Frame {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut headers = Headers::default();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return Frame::End;
        }
        if headers.line(&line) {
            break;
        }
    }
    let length = match headers.finish() {
        Ok(length) => length,
        Err(garbage) => return garbage,
    };
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).await.is_err() {
        return Frame::End;
    }
    message(&body)
}

/// How a fake editor answers a message from the server: `None` unless it is a request to answer. The result
/// of `workspace/configuration` is `configuration(number of items)` (`None`: left unanswered);
/// `workspace/applyEdit` answers `applied`; any other request `null`.
pub fn editor_reply(
    message: &Value,
    configuration: impl FnOnce(usize) -> Option<Value>,
    applied: bool,
) -> Option<Value> {
    let (Some(method), Some(id)) = (message["method"].as_str(), message.get("id")) else {
        return None;
    };
    let result = match method {
        "workspace/configuration" => {
            configuration(message["params"]["items"].as_array().map_or(0, Vec::len))?
        }
        "workspace/applyEdit" => json!({ "applied": applied }),
        _ => Value::Null,
    };
    Some(json!({ "jsonrpc": "2.0", "id": id, "result": result }))
}

/// The `file://` URI of a path as given (symlinks not resolved, nothing escaped: the test paths are plain).
pub fn plain_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The `file://` URI of a path, canonicalized when it exists, each byte outside the unreserved set
/// percent-encoded.
pub fn file_uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file://");
    for part in path.to_string_lossy().split('/').filter(|p| !p.is_empty()) {
        uri.push('/');
        for byte in part.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    uri.push(byte as char)
                }
                _ => uri.push_str(&format!("%{byte:02X}")),
            }
        }
    }
    uri
}
