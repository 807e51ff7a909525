//! Streaming corpus files: one document per line, UTF-8, read in bounded blocks with an invalid-bytes policy.

use std::fs::File;
use std::io::{BufRead, BufReader};

use crate::{Error, Result};

/// Target bytes of text per block handed to the batch functions.
pub const BLOCK_BYTES: usize = 8 * 1024 * 1024;

/// What to do with a line that is not valid UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidUtf8 {
    /// Fail, naming the file, line and byte.
    Strict,
    /// Replace invalid sequences with U+FFFD.
    Replace,
    /// Skip the line (it still counts for line numbers).
    Skip,
}

impl InvalidUtf8 {
    /// Parse the Python-side spelling.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "strict" => Ok(Self::Strict),
            "replace" => Ok(Self::Replace),
            "skip" | "ignore" => Ok(Self::Skip),
            other => Err(Error::config(
                "errors",
                format!("{other:?} is not one of 'strict', 'replace', 'skip'"),
            )),
        }
    }
}

/// Read `path` line by line, calling `on_block` with blocks of about `BLOCK_BYTES` of decoded lines
/// (newline and a trailing `\r` removed). Memory stays bounded by the block size.
pub fn for_each_block(
    path: &str,
    policy: InvalidUtf8,
    mut on_block: impl FnMut(&[String]) -> Result<()>,
) -> Result<u64> {
    let io_err = |e: std::io::Error, line: Option<u64>| Error::Io {
        path: path.to_string(),
        line,
        message: e.to_string(),
    };
    let file = File::open(path).map_err(|e| io_err(e, None))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut raw = Vec::new();
    let mut block: Vec<String> = Vec::new();
    let mut block_bytes = 0usize;
    let mut line_no = 0u64;
    loop {
        raw.clear();
        let n = reader
            .read_until(b'\n', &mut raw)
            .map_err(|e| io_err(e, Some(line_no + 1)))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if raw.last() == Some(&b'\n') {
            raw.pop();
            if raw.last() == Some(&b'\r') {
                raw.pop();
            }
        }
        if line_no == 1 && raw.starts_with(b"\xEF\xBB\xBF") {
            raw.drain(..3); // UTF-8 byte order mark
        }
        let text = match std::str::from_utf8(&raw) {
            Ok(s) => s.to_owned(),
            Err(e) => match policy {
                InvalidUtf8::Strict => {
                    return Err(Error::Io {
                        path: path.to_string(),
                        line: Some(line_no),
                        message: format!(
                            "invalid UTF-8 at byte {} of the line; pass errors='replace' or errors='skip'",
                            e.valid_up_to()
                        ),
                    })
                }
                InvalidUtf8::Replace => String::from_utf8_lossy(&raw).into_owned(),
                InvalidUtf8::Skip => continue,
            },
        };
        block_bytes += text.len();
        block.push(text);
        if block_bytes >= BLOCK_BYTES {
            on_block(&block)?;
            block.clear();
            block_bytes = 0;
        }
    }
    if !block.is_empty() {
        on_block(&block)?;
    }
    Ok(line_no)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tmp(name: &str, bytes: &[u8]) -> String {
        let p = std::env::temp_dir().join(format!("textprep-corpus-{}-{name}", std::process::id()));
        std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
        p.to_string_lossy().into_owned()
    }

    #[test]
    fn lines_crlf_bom_and_policies() {
        let p = tmp("a.txt", b"\xEF\xBB\xBFone\r\ntwo\nbad \xff here\nlast");
        let mut got = Vec::new();
        let n = for_each_block(&p, InvalidUtf8::Replace, |b| {
            got.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 4);
        assert_eq!(got, vec!["one", "two", "bad \u{FFFD} here", "last"]);
        let mut skipped = Vec::new();
        for_each_block(&p, InvalidUtf8::Skip, |b| {
            skipped.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        assert_eq!(skipped, vec!["one", "two", "last"]);
        let e = for_each_block(&p, InvalidUtf8::Strict, |_| Ok(())).unwrap_err();
        assert_eq!(
            e,
            Error::Io {
                path: p.clone(),
                line: Some(3),
                message:
                    "invalid UTF-8 at byte 4 of the line; pass errors='replace' or errors='skip'"
                        .into()
            }
        );
        assert!(e.to_string().contains(":3: invalid UTF-8"));
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = for_each_block("/nonexistent/x.txt", InvalidUtf8::Strict, |_| Ok(())).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/x.txt:"));
    }
}
