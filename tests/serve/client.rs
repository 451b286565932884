//! A tiny HTTP/1.1 client over `std::net::TcpStream`: one request per connection
//! (`Connection: close`), bodies by `Content-Length`, chunked or to the end; and a reader of
//! Server-Sent Events that decodes chunked transfer encoding as it arrives.

use serde_json::Value as Json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long one request may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A response.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The first header `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub(crate) fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }
}

/// Sends one request and reads the whole response.
pub(crate) fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() || method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if method == "HEAD" || status == 304 || status == 204 {
        return response;
    }
    if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        while let Some(chunk) = read_chunk(&mut reader) {
            response.body.extend(chunk);
        }
    } else if let Some(length) = response.header("content-length") {
        let mut body = vec![0; length.parse().unwrap()];
        reader.read_exact(&mut body).unwrap();
        response.body = body;
    } else {
        reader.read_to_end(&mut response.body).unwrap();
    }
    response
}

/// The status line and headers.
fn read_head(reader: &mut BufReader<TcpStream>) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            return (status, headers);
        }
        let (name, value) = trimmed.split_once(':').unwrap();
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
}

/// One chunk of a chunked body; `None` at the last (empty) chunk.
fn read_chunk(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
    if size == 0 {
        return None;
    }
    let mut chunk = vec![0; size + 2];
    reader.read_exact(&mut chunk).ok()?;
    chunk.truncate(size);
    Some(chunk)
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub(crate) event: String,
    pub(crate) data: String,
    pub(crate) id: String,
}

/// An open `text/event-stream` response.
pub(crate) struct EventStream {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    reader: BufReader<TcpStream>,
    /// Decoded body bytes not yet parsed into events.
    pending: Vec<u8>,
    /// Comment lines seen (keep-alives).
    pub(crate) comments: usize,
}

impl EventStream {
    pub(crate) fn open(addr: &str, path: &str) -> EventStream {
        let mut stream = TcpStream::connect(addr).unwrap();
        let head =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut reader = BufReader::new(stream);
        let (status, headers) = read_head(&mut reader);
        EventStream {
            status,
            headers,
            reader,
            pending: Vec::new(),
            comments: 0,
        }
    }

    /// The next event within `timeout`, `None` if none came or the stream ended.
    pub(crate) fn next_event(&mut self, timeout: Duration) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(event) = self.parse_one() {
                return Some(event);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            self.reader
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            self.pending.extend(read_chunk(&mut self.reader)?);
        }
    }

    /// Whether the server ends the stream within `timeout` (the last chunk or EOF).
    pub(crate) fn ends_within(&mut self, timeout: Duration) -> bool {
        self.reader
            .get_ref()
            .set_read_timeout(Some(timeout))
            .unwrap();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => return true,
                Ok(_) if line.trim() == "0" => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    /// Takes one complete event (or comment) off `pending`.
    fn parse_one(&mut self) -> Option<Event> {
        loop {
            let text = String::from_utf8_lossy(&self.pending).into_owned();
            let end = text.find("\n\n")?;
            let block = text[..end].to_owned();
            self.pending.drain(..end + 2);
            let mut event = Event {
                event: String::new(),
                data: String::new(),
                id: String::new(),
            };
            let mut comment_only = true;
            for line in block.lines() {
                if line.starts_with(':') {
                    continue;
                }
                comment_only = false;
                let (field, value) = line.split_once(": ").unwrap_or((line, ""));
                match field {
                    "event" => event.event = value.to_owned(),
                    "data" => event.data.push_str(value),
                    "id" => event.id = value.to_owned(),
                    other => panic!("unexpected SSE field {other:?}"),
                }
            }
            if comment_only {
                self.comments += 1;
                continue;
            }
            return Some(event);
        }
    }
}
