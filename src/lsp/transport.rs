//! Owns the bytes on the wire: a framing filter between the client's streams and the `tower-lsp-server`
//! transport, whose reader stops for good after the first message it cannot decode (the server would then
//! exit while the editor still talks to it).
//!
//! The filter reads `Content-Length` frames from the client itself and forwards to the transport only bodies
//! that are JSON-RPC 2.0 messages (request, notification or response), re-framed, through a pipe. A body
//! that is not JSON is answered with `-32700 Parse error` (id `null`, as JSON-RPC 2.0 asks); a request that
//! is not valid but has a usable id is answered with `-32600 Invalid request`; anything else is logged and
//! dropped. Garbage between frames, header blocks without a valid `Content-Length` and frames over
//! [`MAX_MESSAGE_BYTES`] are skipped up to the next `Content-Length` header (searched anywhere in a line, so
//! a frame glued to the garbage before it is still found), with a warning; an oversized frame is also shown
//! to the writer. Everything sent to the client — the server's messages and the filter's answers — goes
//! through one writer, one whole message at a time, so frames never interleave.
use std::borrow::Cow;

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// The largest message accepted from the client (a bigger one is skipped with an error shown to the writer).
pub const MAX_MESSAGE_BYTES: u64 = 64 << 20;

/// Header lines longer than this are garbage: only their last [`LINE_TAIL`] bytes are kept, enough to find a
/// `Content-Length` header glued to the end of them.
const MAX_HEADER_LINE: usize = 8 << 10;
const LINE_TAIL: usize = 256;

/// Bytes buffered in each pipe between the filter and the transport.
pub const PIPE_BYTES: usize = 1 << 16;

/// Messages waiting for the writer.
pub const OUTGOING_QUEUE: usize = 64;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// What the writer sends to the client.
#[derive(Debug)]
pub enum Outgoing {
    /// One JSON message body (the writer frames it).
    Message(Vec<u8>),
    /// The server's output ended: write nothing more.
    End,
}

/// What to do with a body read from the client.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// A JSON-RPC message: forward it to the transport.
    Forward,
    /// Not a message: answer the client with this error response (and forward nothing).
    Answer(Value),
    /// Not a message and nothing to answer: log why and forward nothing.
    Drop(&'static str),
}

/// Decides what happens to a body read from the client.
pub fn check_body(body: &[u8]) -> Verdict {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Verdict::Answer(error_answer(
                Value::Null,
                PARSE_ERROR,
                &format!("Parse error: {error}"),
            ))
        }
    };
    let Some(object) = value.as_object() else {
        return Verdict::Drop("a JSON value that is not a message object");
    };
    let id = object.get("id");
    let usable_id = id.filter(|id| id.is_string() || id.as_i64().is_some());
    let version_ok = object.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    if let Some(method) = object.get("method") {
        let problem = if !version_ok {
            Some("`jsonrpc` is not \"2.0\"")
        } else if !method.is_string() {
            Some("`method` is not a string")
        } else if id.is_some() && usable_id.is_none() {
            Some("`id` is not an integer or a string")
        } else if !matches!(
            object.get("params"),
            None | Some(Value::Null | Value::Object(_) | Value::Array(_))
        ) {
            Some("`params` is not an object or an array")
        } else if serde_json::from_slice::<Request>(body).is_err() {
            Some("not a JSON-RPC request")
        } else {
            None
        };
        match (problem, usable_id) {
            (None, _) => Verdict::Forward,
            (Some(problem), Some(id)) => Verdict::Answer(error_answer(
                id.clone(),
                INVALID_REQUEST,
                &format!("Invalid request: {problem}"),
            )),
            (Some(problem), None) => Verdict::Drop(problem),
        }
    } else if id.is_some() {
        // A response to one of the server's requests. A broken one is dropped, never answered: its id is
        // the server's, and an answer would collide with the client's own request ids.
        if version_ok && serde_json::from_slice::<Response>(body).is_ok() {
            Verdict::Forward
        } else {
            Verdict::Drop("a response without a valid `result` or `error`")
        }
    } else {
        Verdict::Drop("an object with neither `method` nor `id`")
    }
}

fn error_answer(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// One header line, classified.
#[derive(Debug, PartialEq)]
enum Header {
    /// A `Content-Length` header (`None`: its value is not a length), possibly after garbage on its line.
    ContentLength {
        length: Option<u64>,
        after_garbage: bool,
    },
    /// Any other `Name: value` header (`Content-Type`): ignored.
    Other,
    /// Not a header.
    Garbage,
}

fn classify(line: &[u8]) -> Header {
    const NAME: &[u8] = b"content-length:";
    let lower = line.to_ascii_lowercase();
    if let Some(at) = lower.windows(NAME.len()).rposition(|w| w == NAME) {
        let length = std::str::from_utf8(&line[at + NAME.len()..])
            .ok()
            .map(str::trim)
            .filter(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|value| value.parse::<u64>().ok());
        return Header::ContentLength {
            length,
            after_garbage: at > 0,
        };
    }
    match line.iter().position(|&b| b == b':') {
        Some(colon)
            if colon > 0
                && line[..colon]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-') =>
        {
            Header::Other
        }
        _ => Header::Garbage,
    }
}

/// Why a frame was skipped.
#[derive(Debug, PartialEq)]
pub enum Skipped {
    /// A header block without `Content-Length`, or with one whose value is not a length.
    NoLength,
    /// A frame longer than [`MAX_MESSAGE_BYTES`].
    Oversized(u64),
}

/// Reads `Content-Length` frames, resynchronising on the next header after anything else.
pub struct FrameReader<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
    /// Inside a run of garbage (warned about once per run).
    in_garbage: bool,
    /// What this reader reads (for the log).
    from: &'static str,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(reader: R, from: &'static str) -> FrameReader<R> {
        FrameReader {
            reader: BufReader::new(reader),
            line: Vec::new(),
            in_garbage: false,
            from,
        }
    }

    /// The next frame's body, or why a frame was skipped; `None` at the end of the input.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, Skipped>> {
        let mut length = None;
        let mut headers = false;
        loop {
            if !read_line(&mut self.reader, &mut self.line).await {
                return None;
            }
            if self.line.is_empty() {
                if headers {
                    break;
                }
                continue;
            }
            match classify(&self.line) {
                Header::ContentLength {
                    length: found,
                    after_garbage,
                } => {
                    if after_garbage {
                        self.garbage();
                    }
                    headers = true;
                    length = found;
                }
                Header::Other => headers = true,
                Header::Garbage => self.garbage(),
            }
        }
        let Some(length) = length else {
            return Some(Err(Skipped::NoLength));
        };
        if length > MAX_MESSAGE_BYTES {
            return Some(Err(Skipped::Oversized(length)));
        }
        let mut body = vec![0; usize::try_from(length).ok()?];
        self.reader.read_exact(&mut body).await.ok()?;
        self.in_garbage = false;
        Some(Ok(body))
    }

    fn garbage(&mut self) {
        if !self.in_garbage {
            self.in_garbage = true;
            let preview = String::from_utf8_lossy(&self.line[..self.line.len().min(80)]);
            tracing::warn!(
                "skipping bytes from {} that are not a message header: {preview:?}…",
                self.from
            );
        }
    }
}

/// Reads one line (without its `\n` or `\r\n`) into `line`, keeping only the tail of an overlong one.
/// `false` at the end of the input (a last line without a line break is dropped) or on a read error.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, line: &mut Vec<u8>) -> bool {
    line.clear();
    loop {
        let Ok(buffer) = reader.fill_buf().await else {
            return false;
        };
        if buffer.is_empty() {
            return false;
        }
        let (taken, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => {
                line.extend_from_slice(&buffer[..at]);
                (at + 1, true)
            }
            None => {
                line.extend_from_slice(buffer);
                (buffer.len(), false)
            }
        };
        reader.consume(taken);
        if line.len() > MAX_HEADER_LINE {
            line.drain(..line.len() - LINE_TAIL);
        }
        if done {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return true;
        }
    }
}

/// Writes one `Content-Length` frame (not flushed).
async fn write_frame<W: AsyncWrite + Unpin>(out: &mut W, body: &[u8]) -> std::io::Result<()> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    out.write_all(header.as_bytes()).await?;
    out.write_all(body).await
}

fn preview(body: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(&body[..body.len().min(200)])
}

/// Reads the client's messages from `input` until it ends, forwarding the valid ones (framed) to `server` and
/// sending error answers to the writer through `outgoing`. Dropping `server` at the end tells the transport
/// that the input ended.
pub async fn read_input<I, S>(input: I, mut server: S, outgoing: mpsc::Sender<Outgoing>)
where
    I: AsyncRead + Unpin,
    S: AsyncWrite + Unpin,
{
    let mut frames = FrameReader::new(input, "the client");
    while let Some(frame) = frames.next().await {
        let body = match frame {
            Ok(body) => body,
            Err(Skipped::NoLength) => {
                tracing::warn!(
                    "a message header without a valid Content-Length: skipped to the next header"
                );
                continue;
            }
            Err(Skipped::Oversized(length)) => {
                let message = format!(
                    "verbatim: a message of {} MiB from the editor is over the {} MiB limit and was \
                     skipped",
                    length >> 20,
                    MAX_MESSAGE_BYTES >> 20
                );
                tracing::error!("{message}");
                let notification = json!({ "jsonrpc": "2.0", "method": "window/showMessage",
                                           "params": { "type": 1, "message": message } });
                let _ = outgoing
                    .send(Outgoing::Message(notification.to_string().into_bytes()))
                    .await;
                continue;
            }
        };
        match check_body(&body) {
            Verdict::Forward => {
                let forwarded = async {
                    write_frame(&mut server, &body).await?;
                    server.flush().await
                };
                if forwarded.await.is_err() {
                    // The transport stopped reading (after `exit`).
                    return;
                }
            }
            Verdict::Answer(answer) => {
                tracing::warn!(
                    "answered a malformed message with {}: {}",
                    answer["error"]["code"],
                    preview(&body)
                );
                let _ = outgoing
                    .send(Outgoing::Message(answer.to_string().into_bytes()))
                    .await;
            }
            Verdict::Drop(why) => {
                tracing::warn!("dropped a malformed message ({why}): {}", preview(&body));
            }
        }
    }
}

/// Hands the transport's framed output to the writer, one message at a time, then [`Outgoing::End`].
pub async fn collect_output<R: AsyncRead + Unpin>(
    from_server: R,
    outgoing: mpsc::Sender<Outgoing>,
) {
    let mut frames = FrameReader::new(from_server, "the server");
    while let Some(frame) = frames.next().await {
        match frame {
            Ok(body) => {
                if outgoing.send(Outgoing::Message(body)).await.is_err() {
                    return;
                }
            }
            Err(skipped) => tracing::error!("the transport wrote a broken frame: {skipped:?}"),
        }
    }
    let _ = outgoing.send(Outgoing::End).await;
}

/// Writes the messages to the client until [`Outgoing::End`]. When the output fails (the client is gone),
/// calls `closed` once and discards the rest, so that nothing waiting on the queue blocks.
pub async fn write_output<O: AsyncWrite>(
    output: O,
    mut messages: mpsc::Receiver<Outgoing>,
    closed: impl Fn(),
) {
    tokio::pin!(output);
    let mut open = true;
    while let Some(Outgoing::Message(body)) = messages.recv().await {
        if !open {
            continue;
        }
        let written = async {
            write_frame(&mut output, &body).await?;
            if messages.is_empty() {
                output.flush().await?;
            }
            Ok::<(), std::io::Error>(())
        };
        if let Err(error) = written.await {
            tracing::warn!("cannot write to the client: {error}");
            open = false;
            closed();
        }
    }
    if open {
        let _ = output.flush().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_forwarded_answered_or_dropped() {
        let forward = [
            r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"shutdown","params":null}"#,
            r#"{"jsonrpc":"2.0","method":"exit"}"#,
            r#"{"jsonrpc":"2.0","method":"","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":3,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"no"}}"#,
        ];
        for body in forward {
            assert_eq!(check_body(body.as_bytes()), Verdict::Forward, "{body}");
        }
        for body in ["{not json", "", "{\"method\":\"\u{fffd}\"", "{} {}"] {
            let Verdict::Answer(answer) = check_body(body.as_bytes()) else {
                panic!("{body:?} must be answered");
            };
            assert_eq!(answer["error"]["code"], PARSE_ERROR);
            assert_eq!(answer["id"], Value::Null);
        }
        assert!(matches!(
            check_body(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}"),
            Verdict::Answer(_)
        ));
        for (body, id) in [
            (
                r#"{"jsonrpc":"2.0","id":98,"method":"textDocument/hover","params":5}"#,
                json!(98),
            ),
            (r#"{"jsonrpc":"1.0","id":"x","method":"a"}"#, json!("x")),
            (r#"{"jsonrpc":"2.0","id":7,"method":7}"#, json!(7)),
        ] {
            let Verdict::Answer(answer) = check_body(body.as_bytes()) else {
                panic!("{body} must be answered");
            };
            assert_eq!(answer["error"]["code"], INVALID_REQUEST, "{body}");
            assert_eq!(answer["id"], id, "{body}");
        }
        for body in [
            "[1, 2, 3]",
            "5",
            "{}",
            r#"{"jsonrpc":"2.0","id":99}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"a"}"#,
            r#"{"jsonrpc":"2.0","method":"a","params":5}"#,
            r#"{"id":3,"result":null}"#,
        ] {
            assert!(
                matches!(check_body(body.as_bytes()), Verdict::Drop(_)),
                "{body}"
            );
        }
    }

    #[test]
    fn header_lines_are_classified() {
        let length = |length, after_garbage| Header::ContentLength {
            length,
            after_garbage,
        };
        assert_eq!(classify(b"Content-Length: 12"), length(Some(12), false));
        assert_eq!(classify(b"content-length:12  "), length(Some(12), false));
        assert_eq!(classify(b"{}Content-Length: 97"), length(Some(97), true));
        assert_eq!(
            classify(b"Content-LenContent-Length: 5"),
            length(Some(5), true)
        );
        assert_eq!(classify(b"Content-Length: -1"), length(None, false));
        assert_eq!(classify(b"Content-Length: 5x"), length(None, false));
        assert_eq!(classify(b"Content-Length:"), length(None, false));
        assert_eq!(
            classify(b"Content-Type: application/vscode-jsonrpc; charset=utf-8"),
            Header::Other
        );
        assert_eq!(classify(b"garbage"), Header::Garbage);
        assert_eq!(classify(br#"{"a":1}"#), Header::Garbage);
    }

    async fn frames_of(input: &[u8]) -> Vec<Result<Vec<u8>, Skipped>> {
        let mut reader = FrameReader::new(input, "a test");
        let mut frames = Vec::new();
        while let Some(frame) = reader.next().await {
            frames.push(frame);
        }
        frames
    }

    #[tokio::test]
    async fn frames_resynchronise_after_garbage() {
        let mut input = Vec::new();
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        input.extend_from_slice(b"garbage\r\n\r\n");
        input.extend_from_slice(b"Content-Type: application/json\r\n\r\n{\"a\":1}");
        input.extend_from_slice(b"Content-Length: 3\r\n\r\n[1]");
        input.extend_from_slice(b"Content-Len");
        input.extend_from_slice(b"Content-Length: 1\nContent-Type: x\n\n5");
        input.extend_from_slice(&vec![b'x'; 100_000]);
        input.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        input.extend_from_slice(b"Content-Length: 99999999999\r\n\r\n");
        input.extend_from_slice(b"Content-Length: 2\r\n\r\nok");
        input.extend_from_slice(b"Content-Length: 10\r\n\r\ncut");
        let frames = frames_of(&input).await;
        assert_eq!(
            frames,
            vec![
                Ok(b"{}".to_vec()),
                Err(Skipped::NoLength),
                Ok(b"[1]".to_vec()),
                Ok(b"5".to_vec()),
                Ok(Vec::new()),
                Err(Skipped::Oversized(99_999_999_999)),
                Ok(b"ok".to_vec()),
            ]
        );
    }

    #[tokio::test]
    async fn one_writer_frames_every_message() {
        let (tx, rx) = mpsc::channel(4);
        let (client, mut server) = tokio::io::duplex(1 << 16);
        tx.send(Outgoing::Message(b"{}".to_vec())).await.unwrap();
        tx.send(Outgoing::Message(b"[1]".to_vec())).await.unwrap();
        tx.send(Outgoing::End).await.unwrap();
        write_output(client, rx, || panic!("the output is open")).await;
        let mut written = Vec::new();
        server.read_to_end(&mut written).await.unwrap();
        assert_eq!(
            written,
            b"Content-Length: 2\r\n\r\n{}Content-Length: 3\r\n\r\n[1]".to_vec()
        );
    }
}
