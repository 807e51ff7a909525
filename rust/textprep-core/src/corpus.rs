//! The one reader of corpus files: one document per line, UTF-8, read in bounded blocks with an invalid-bytes
//! policy. Every caller reads through it (`fit_files`, `count_files`, `encode_files`, the command line, the
//! scale-out code), so the rules are the same everywhere:
//!
//! - a line ends at `\n`; that `\n` and then one `\r` before it are removed (so `\r\n` and `\n` files read alike; a
//!   lone `\r` is text);
//! - a UTF-8 byte order mark at the start of the file is dropped;
//! - a line that is not valid UTF-8 is an [`Error::Decode`] naming the file, line and byte (`strict`), decoded
//!   with U+FFFD for each bad sequence exactly as Python's `bytes.decode("utf-8", "replace")` (`replace`), or left
//!   out (`skip`; line numbers still count it).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use crate::{Error, Result};

/// Target bytes of text per block handed to the batch functions.
pub const BLOCK_BYTES: usize = 8 * 1024 * 1024;

/// What to do with a line that is not valid UTF-8 (the `encoding_errors=` policy).
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
    /// Parse the Python-side spelling (`"strict"`, `"replace"`, `"skip"`; `"ignore"` is `"skip"`).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "strict" => Ok(Self::Strict),
            "replace" => Ok(Self::Replace),
            "skip" | "ignore" => Ok(Self::Skip),
            other => Err(Error::config(
                "encoding_errors",
                format!("{other:?} is not one of 'strict', 'replace', 'skip'"),
            )),
        }
    }
}

/// Lines of one corpus file (or any byte stream), decoded with the rules of the module docs.
pub struct LineReader {
    reader: Box<dyn BufRead + Send>,
    name: String,
    policy: InvalidUtf8,
    line: u64,
    bytes_read: u64,
    raw: Vec<u8>,
}

impl std::fmt::Debug for LineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LineReader({:?}, line {})", self.name, self.line)
    }
}

impl LineReader {
    /// Open `path` (an [`Error::Io`] naming it when it cannot be opened).
    pub fn open(path: &str, policy: InvalidUtf8) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, None, &e))?;
        Ok(Self::from_reader(
            BufReader::with_capacity(1 << 20, file),
            path,
            policy,
        ))
    }

    /// Read from any byte stream; `name` stands for the file in errors (e.g. `<stdin>`).
    pub fn from_reader(
        reader: impl Read + Send + 'static,
        name: &str,
        policy: InvalidUtf8,
    ) -> Self {
        LineReader {
            reader: Box::new(BufReader::new(reader)),
            name: name.to_string(),
            policy,
            line: 0,
            bytes_read: 0,
            raw: Vec::new(),
        }
    }

    /// The next line (skipped lines are passed over), or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<String>> {
        loop {
            self.raw.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.raw)
                .map_err(|e| Error::io(&self.name, Some(self.line + 1), &e))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            self.bytes_read += n as u64;
            let raw = &mut self.raw;
            if raw.last() == Some(&b'\n') {
                raw.pop();
                if raw.last() == Some(&b'\r') {
                    raw.pop();
                }
            }
            if self.line == 1 && raw.starts_with(b"\xEF\xBB\xBF") {
                raw.drain(..3); // UTF-8 byte order mark
            }
            match std::str::from_utf8(raw) {
                Ok(s) => return Ok(Some(s.to_owned())),
                Err(e) => match self.policy {
                    InvalidUtf8::Strict => {
                        return Err(Error::Decode {
                            path: self.name.clone(),
                            line: self.line,
                            byte: e.valid_up_to(),
                        })
                    }
                    InvalidUtf8::Replace => {
                        return Ok(Some(String::from_utf8_lossy(raw).into_owned()))
                    }
                    InvalidUtf8::Skip => continue,
                },
            }
        }
    }

    /// The next lines, up to about `max_bytes` of text or `max_lines` lines; empty at the end.
    pub fn next_block(&mut self, max_bytes: usize, max_lines: usize) -> Result<Vec<String>> {
        let mut block = Vec::new();
        let mut bytes = 0;
        while bytes < max_bytes && block.len() < max_lines.max(1) {
            match self.next_line()? {
                Some(text) => {
                    bytes += text.len();
                    block.push(text);
                }
                None => break,
            }
        }
        Ok(block)
    }

    /// Lines read so far (the 1-based number of the last line read).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Bytes of the file read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

/// The text of the code points of a Python `str` that holds lone surrogates (its UTF-8 cannot be borrowed): each
/// surrogate becomes U+FFFD with `replace` (one character for one, so positions hold), else an [`Error::Input`] at
/// the first one's character position.
pub fn from_code_points(cps: &[u32], replace: bool) -> Result<String> {
    let surrogate = |c: u32| (0xD800..=0xDFFF).contains(&c);
    if let (false, Some(pos)) = (replace, cps.iter().position(|&c| surrogate(c))) {
        return Err(Error::Input {
            index: None,
            position: Some(pos),
            message: format!(
                "lone surrogate U+{:04X} is not valid Unicode text; pass surrogates='replace' to replace lone \
                 surrogates with U+FFFD",
                cps[pos]
            ),
        });
    }
    Ok(cps
        .iter()
        .map(|&c| char::from_u32(c).unwrap_or('\u{FFFD}'))
        .collect())
}

/// Read `path` line by line, calling `on_block` with blocks of about `BLOCK_BYTES` of decoded lines.
/// Memory stays bounded by the block size. Returns the number of lines read.
pub fn for_each_block(
    path: &str,
    policy: InvalidUtf8,
    mut on_block: impl FnMut(&[String]) -> Result<()>,
) -> Result<u64> {
    let mut reader = LineReader::open(path, policy)?;
    loop {
        let block = reader.next_block(BLOCK_BYTES, usize::MAX)?;
        if block.is_empty() {
            return Ok(reader.line());
        }
        on_block(&block)?;
    }
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
            Error::Decode {
                path: p.clone(),
                line: 3,
                byte: 4
            }
        );
        assert!(e.to_string().contains(":3: invalid UTF-8"));
    }

    #[test]
    fn code_points_with_lone_surrogates() {
        let cps = [0x61, 0xD800, 0x62];
        assert_eq!(from_code_points(&cps, true).unwrap(), "a\u{FFFD}b");
        let e = from_code_points(&cps, false).unwrap_err().at_index(4);
        assert!(e
            .to_string()
            .starts_with("texts[4] at character 1: lone surrogate U+D800"));
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = for_each_block("/nonexistent/x.txt", InvalidUtf8::Strict, |_| Ok(())).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/x.txt:"));
        assert!(matches!(e, Error::Io { errno: Some(2), .. }), "{e:?}");
    }

    #[test]
    fn blocks_from_any_reader_and_byte_counts() {
        let data: &[u8] = b"a\r\nbb\n\nccc";
        let mut r = LineReader::from_reader(data, "<stdin>", InvalidUtf8::Strict);
        assert_eq!(r.next_block(usize::MAX, 2).unwrap(), ["a", "bb"]);
        assert_eq!(r.next_block(usize::MAX, 10).unwrap(), ["", "ccc"]);
        assert!(r.next_block(usize::MAX, 10).unwrap().is_empty());
        assert_eq!((r.line(), r.bytes_read()), (4, data.len() as u64));
        let mut bad = LineReader::from_reader(&b"ok\n\xff"[..], "<stdin>", InvalidUtf8::Strict);
        let e = bad.next_block(usize::MAX, 10).unwrap_err();
        assert_eq!(e.to_string(), "<stdin>:2: invalid UTF-8 at byte 0 of the line; pass encoding_errors='replace' or encoding_errors='skip'");
    }
}
