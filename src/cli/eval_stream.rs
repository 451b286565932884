//! `edgeflag eval --contexts FILE.jsonl`: one context per line in, one line of details out,
//! streamed in constant memory so that millions of contexts evaluate in one process against
//! a snapshot loaded once. A bad line never stops the stream: it answers INVALID_CONTEXT.

use crate::details::{write_details, Which};
use crate::exit::{io_reason, CliResult, Failure};
use crate::output::stdout_failed;
use edgeflag::{CompiledContext, Context, ContextLimits, Error, Limits, Snapshot};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Evaluates every non-blank line of `path` (`-`: stdin) and writes one JSON line for each.
pub(crate) fn run(snapshot: &Snapshot, which: Which<'_>, path: &Path, now: i64) -> CliResult {
    let stdin = path == Path::new("-");
    let name = if stdin {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    };
    let input: Box<dyn BufRead> = if stdin {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(path).map_err(|e| Failure::unreadable(path, &e))?;
        Box::new(BufReader::new(file))
    };
    let mut out = BufWriter::new(io::stdout().lock());
    evaluate_lines(input, &mut out, snapshot, which, now, &name)?;
    out.flush().map_err(|e| stdout_failed(&e))
}

/// The loop proper: one reused line buffer, one compiled context per line.
fn evaluate_lines<R: BufRead, W: Write>(
    mut input: R,
    out: &mut W,
    snapshot: &Snapshot,
    which: Which<'_>,
    now: i64,
    name: &str,
) -> CliResult {
    // A context line as large as the largest envelope is generous; anything longer is
    // skipped without being held in memory.
    let max_line = Limits::default().max_bytes;
    let limits = ContextLimits::default();
    let mut line = Vec::new();
    loop {
        let status = read_line(&mut input, &mut line, max_line)
            .map_err(|e| Failure::usage(name, format!("cannot read: {}", io_reason(&e))))?;
        let context = match status {
            None => return Ok(()),
            Some(Line::Complete) if line.iter().all(u8::is_ascii_whitespace) => continue,
            Some(Line::Complete) => compile(&line, &limits, snapshot),
            Some(Line::TooLong) => {
                CompiledContext::invalid(format!("the line is longer than {max_line} bytes"))
            }
        };
        write_details(out, snapshot, which, &context, now, false)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| stdout_failed(&e))?;
    }
}

/// The context on one line, or an invalid one that evaluates to INVALID_CONTEXT.
fn compile(line: &[u8], limits: &ContextLimits, snapshot: &Snapshot) -> CompiledContext {
    match Context::from_json(line, limits) {
        Ok(context) => CompiledContext::new(context, snapshot),
        // The library prefixes the reason with "invalid context: " itself.
        Err(Error::InvalidContext { message }) => CompiledContext::invalid(message),
        Err(other) => CompiledContext::invalid(other.to_string()),
    }
}

/// How a line read by [`read_line`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// The line is in the buffer, without its `\n` or `\r\n`.
    Complete,
    /// The line was longer than the limit; it was consumed and the buffer left empty.
    TooLong,
}

/// Reads the next line into `buf` (cleared first), keeping at most `max` bytes of it in
/// memory; `None` at the end of input. Bytes are not required to be UTF-8 here: the JSON
/// parser reports invalid UTF-8 for the one line that has it.
fn read_line<R: BufRead>(input: &mut R, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<Line>> {
    buf.clear();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        read_any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk_len = newline.unwrap_or(available.len());
        let chunk = available.get(..chunk_len).unwrap_or_default();
        if !too_long {
            if buf.len().saturating_add(chunk.len()) > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = newline.map_or(chunk_len, |at| at + 1);
        input.consume(used);
        if newline.is_some() {
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(if too_long {
        Line::TooLong
    } else {
        Line::Complete
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(Option<Line>, Vec<u8>)> {
        let mut reader = BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            let status = read_line(&mut reader, &mut buf, max).ok().flatten();
            out.push((status, buf.clone()));
            if status.is_none() {
                return out;
            }
        }
    }

    #[test]
    fn splits_lines_across_buffer_refills_and_strips_crlf() {
        let got = lines(b"{\"a\":1}\r\n\nlast", 100);
        let expected: Vec<(Option<Line>, Vec<u8>)> = vec![
            (Some(Line::Complete), b"{\"a\":1}".to_vec()),
            (Some(Line::Complete), Vec::new()),
            (Some(Line::Complete), b"last".to_vec()),
            (None, Vec::new()),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn skips_an_overlong_line_without_keeping_it() {
        let got = lines(b"0123456789\nok\n", 5);
        let expected: Vec<(Option<Line>, Vec<u8>)> = vec![
            (Some(Line::TooLong), Vec::new()),
            (Some(Line::Complete), b"ok".to_vec()),
            (None, Vec::new()),
        ];
        assert_eq!(got, expected);
    }
}
