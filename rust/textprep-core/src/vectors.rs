//! Parser for text word-vector files: word2vec text, GloVe and fastText `.vec` (`word v1 v2 ... vN` per line).
//!
//! The caller (the Python loader) opens and decompresses the file and handles the optional `<count> <dim>` header
//! line; this parser takes the rest of the file as byte blocks of any size ([`TextVectorsParser::feed`], then
//! [`TextVectorsParser::finish`]), carries an incomplete last line over to the next block, and keeps the text
//! conventions of the Python reader it replaces:
//!
//! - lines end at `\n`; a line made only of ASCII whitespace (`' ' \t \n \r \x0b \x0c`) is skipped and not counted;
//! - the word ends at the first `' '` (a line with no space is all word, newline included, so it has no values);
//! - values are separated by runs of ASCII whitespace (tabs, `\r\n`, trailing spaces are fine);
//! - with a keep-set, the word is looked up before anything else about the row is checked or parsed, so
//!   skipped rows cost one hash lookup;
//! - the first row fixes the dimension when no header gave it; a kept row with another number of values is an
//!   error; a duplicate word keeps its first row and is counted (duplicates are not checked further);
//! - words must be UTF-8 (or are repaired with U+FFFD when `replace` is set, counted);
//! - values parse as `f32` (correctly rounded); NaN and infinities are accepted here and reported per row, the
//!   caller decides (error or zero).
//!
//! Errors carry the 1-based line number in the file (the header line, if any, counts: see
//! [`TextVectorsParser::new`]); [`VectorsError::in_file`] makes the engine error the loader raises.

use std::fmt;

use hashbrown::hash_map::EntryRef;
use hashbrown::{HashMap, HashSet};
use rustc_hash::FxBuildHasher;

/// ASCII whitespace as Python's `bytes.split()` and `bytes.strip()` see it.
#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Number of whitespace-separated fields in `s`.
fn count_fields(s: &[u8]) -> usize {
    let mut n = 0;
    let mut in_field = false;
    for &b in s {
        let ws = is_ws(b);
        if !ws && !in_field {
            n += 1;
        }
        in_field = !ws;
    }
    n
}

/// Exact powers of ten in `f32` (`5^10 < 2^24`, so up to `10^10` none is rounded).
const POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/// Powers of ten up to `10^8` as integers.
const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The leading run of ASCII digits in 8 bytes (first byte lowest): (count 0..=8, their value).
#[inline]
fn eight_digits(x: u64) -> (usize, u64) {
    let t = x.wrapping_sub(0x3030_3030_3030_3030);
    // a byte is a digit iff t's byte < 10: no high bit in t nor in t + 0x76
    let non_digit = (t | t.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
    let n = (non_digit.trailing_zeros() / 8) as usize;
    if n == 0 {
        return (0, 0);
    }
    // keep the n digits in the high bytes: the zero bytes below are leading zeros
    let v = t << (8 * (8 - n));
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v1 = (v & 0x0000_00FF_0000_00FF).wrapping_mul(0x000F_4240_0000_0064);
    let v2 = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(0x0000_2710_0000_0001);
    (n, u64::from((v1.wrapping_add(v2) >> 32) as u32))
}

/// Fast path for the plain decimals vector files are made of (`-0.00066023`, `0.418`): sign, up to 7 integer
/// digits, optional `.` and up to 8 fraction digits, read 8 bytes at a time without a branch per digit. When the
/// digits form an integer `m <= 2^24` and there are at most 10 fraction digits, `m` and `10^k` are exact `f32`s
/// and one IEEE division is correctly rounded (Clinger's fast path). Needs 16 readable bytes from the token start
/// (the bytes after the token are only looked at). `None`: anything else (exponents, long mantissas, nan, the
/// last bytes of a block), left to the general parser. Returns the value and the token length.
#[inline]
fn parse_fast(s: &[u8]) -> Option<(f32, usize)> {
    let word = |i: usize| -> Option<u64> {
        let b: [u8; 8] = s.get(i..i + 8)?.try_into().ok()?;
        Some(u64::from_le_bytes(b))
    };
    let neg = s.first() == Some(&b'-');
    let mut i = usize::from(neg || s.first() == Some(&b'+'));
    let (ni, int) = eight_digits(word(i)?);
    if ni == 8 {
        return None;
    }
    i += ni;
    let (mut nf, mut frac) = (0, 0);
    if s.get(i) == Some(&b'.') {
        i += 1;
        (nf, frac) = eight_digits(word(i)?);
        i += nf;
    }
    // a 9th fraction digit (or anything but a separator) lands here too
    if ni + nf == 0 || s.get(i).is_some_and(|&b| !is_ws(b)) {
        return None;
    }
    let m = int * POW10_U64[nf] + frac;
    if m > 1 << 24 {
        return None;
    }
    let v = m as f32 / POW10[nf];
    Some((if neg { -v } else { v }, i))
}

/// C99's `nan(chars)` (`[+-]?nan([0-9A-Za-z_]*)`, any case), which `strtod` and so the NumPy-based reader this
/// parser replaces accept as NaN.
fn is_nan_with_payload(tok: &[u8]) -> bool {
    let t = match tok.first() {
        Some(b'+' | b'-') => &tok[1..],
        _ => tok,
    };
    t.len() >= 5
        && t[..4].eq_ignore_ascii_case(b"nan(")
        && t[t.len() - 1] == b')'
        && t[4..t.len() - 1]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// What is wrong with a vectors file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorsError {
    /// 1-based line number in the file.
    pub line: u64,
    /// The problem.
    pub kind: VectorsErrorKind,
}

/// The kinds of [`VectorsError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VectorsErrorKind {
    /// A row beyond the number of rows the header announced.
    MoreRows {
        /// Rows the header announced.
        header_rows: u64,
    },
    /// The first row has a word but no values (so no dimension can be inferred).
    NoValues,
    /// A kept word is not valid UTF-8 (strict policy).
    InvalidUtf8 {
        /// The raw word bytes.
        word: Vec<u8>,
    },
    /// A kept row has the wrong number of values.
    FieldCount {
        /// The raw word bytes.
        word: Vec<u8>,
        /// The dimension.
        expected: usize,
        /// Values found on the line.
        found: usize,
    },
    /// A value is not a float.
    Float {
        /// The offending token.
        token: Vec<u8>,
    },
}

impl fmt::Display for VectorsError {
    /// The message the loader shows after `<file>: line <n>: ` (words quoted as Python's `repr` quotes them, cut
    /// to 40 characters, as the Python reader this parser replaced did).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            VectorsErrorKind::MoreRows { header_rows } => {
                write!(
                    f,
                    "the header says {header_rows} rows but the file has more"
                )
            }
            VectorsErrorKind::NoValues => {
                write!(f, "expected a word followed by its vector values")
            }
            VectorsErrorKind::InvalidUtf8 { word } => write!(
                f,
                "the word {} is not valid UTF-8 (pass encoding_errors='replace' to replace bad bytes)",
                py_repr_bytes(&word[..word.len().min(40)])
            ),
            VectorsErrorKind::FieldCount {
                word,
                expected,
                found,
            } => {
                let w = String::from_utf8_lossy(word);
                let cut: String = w.chars().take(40).collect();
                write!(
                    f,
                    "expected {expected} values after the word {}, found {found}",
                    py_repr_str(&cut)
                )
            }
            VectorsErrorKind::Float { token } => write!(
                f,
                "cannot parse {} as a float",
                py_repr_str(&String::from_utf8_lossy(&token[..token.len().min(40)]))
            ),
        }
    }
}

impl VectorsError {
    /// The engine error for this problem in the file called `file` (what the loader raises).
    pub fn in_file(self, file: &str) -> crate::Error {
        crate::Error::Vectors {
            file: file.to_string(),
            line: self.line,
            message: self.to_string(),
        }
    }
}

/// Python's `repr(str)`: single quotes unless the text has `'` and no `"`, backslash escapes for the quote, `\\`,
/// `\t \n \r`, and `\x`/`\u`/`\U` escapes for characters Python does not print (controls, format, private use,
/// unassigned, separators other than the space).
fn py_repr_str(s: &str) -> String {
    use unicode_general_category::{get_general_category, GeneralCategory as Gc};
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c == q => {
                out.push('\\');
                out.push(c);
            }
            ' ' => out.push(' '),
            _ => {
                let printable = !matches!(
                    get_general_category(c),
                    Gc::Control
                        | Gc::Format
                        | Gc::Surrogate
                        | Gc::PrivateUse
                        | Gc::Unassigned
                        | Gc::LineSeparator
                        | Gc::ParagraphSeparator
                        | Gc::SpaceSeparator
                );
                let u = c as u32;
                if printable {
                    out.push(c);
                } else if u < 0x100 {
                    out.push_str(&format!("\\x{u:02x}"));
                } else if u < 0x1_0000 {
                    out.push_str(&format!("\\u{u:04x}"));
                } else {
                    out.push_str(&format!("\\U{u:08x}"));
                }
            }
        }
    }
    out.push(q);
    out
}

/// Python's `repr(bytes)`: `b'...'` with the quote rule of `str`, `\\`, `\t \n \r` and `\xhh` for bytes outside
/// printable ASCII.
fn py_repr_bytes(b: &[u8]) -> String {
    let q = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(q as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if c == q => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(q as char);
    out
}

impl std::error::Error for VectorsError {}

/// Streaming parser of the rows of a text vectors file; see the module docs for the accepted format.
#[derive(Debug)]
pub struct TextVectorsParser {
    dim: Option<usize>,
    keep: Option<HashSet<Box<[u8]>, FxBuildHasher>>,
    max_rows: Option<u64>,
    replace: bool,
    seen: HashMap<String, (), FxBuildHasher>,
    carry: Vec<u8>,
    line: u64,
    rows: u64,
    duplicates: u64,
    replaced: u64,
    kept: usize,
    values: Vec<f32>,
    words: Vec<String>,
    nonfinite: Vec<(usize, u64)>,
}

/// Counts after a parse, for the loader's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VectorsCounts {
    /// Non-empty rows seen (kept or not).
    pub rows: u64,
    /// Kept rows.
    pub kept: usize,
    /// Kept-set rows skipped because their word came earlier.
    pub duplicates: u64,
    /// Kept words that were not UTF-8 and were repaired.
    pub replaced: u64,
    /// Lines seen, header included (the last line number).
    pub lines: u64,
}

impl TextVectorsParser {
    /// A parser for rows of dimension `dim` (`None`: the first row decides), keeping only words in `keep` (all
    /// when `None`), at most `max_rows` non-empty rows (the header's count), repairing non-UTF-8 words when
    /// `replace`. `lines_before` is the number of lines already consumed (1 after a header line), so error line
    /// numbers are the file's.
    pub fn new(
        dim: Option<usize>,
        keep: Option<Vec<Vec<u8>>>,
        max_rows: Option<u64>,
        replace: bool,
        lines_before: u64,
    ) -> Self {
        TextVectorsParser {
            dim,
            keep: keep.map(|k| k.into_iter().map(Vec::into_boxed_slice).collect()),
            max_rows,
            replace,
            seen: HashMap::default(),
            carry: Vec::new(),
            line: lines_before,
            rows: 0,
            duplicates: 0,
            replaced: 0,
            kept: 0,
            values: Vec::new(),
            words: Vec::new(),
            nonfinite: Vec::new(),
        }
    }

    /// The dimension, once known.
    pub fn dim(&self) -> Option<usize> {
        self.dim
    }

    /// Counts so far.
    pub fn counts(&self) -> VectorsCounts {
        VectorsCounts {
            rows: self.rows,
            kept: self.kept,
            duplicates: self.duplicates,
            replaced: self.replaced,
            lines: self.line,
        }
    }

    /// Kept rows with a NaN or infinite value so far: (kept row index, line), in file order.
    pub fn nonfinite(&self) -> &[(usize, u64)] {
        &self.nonfinite
    }

    /// Take the words kept since the last call (in row order).
    pub fn take_words(&mut self) -> Vec<String> {
        std::mem::take(&mut self.words)
    }

    /// Parse the complete lines of the next piece of the file; an incomplete last line waits for the next call
    /// or [`finish`](Self::finish).
    pub fn feed(&mut self, data: &[u8]) -> Result<(), VectorsError> {
        let Some(last_nl) = memchr::memrchr(b'\n', data) else {
            self.carry.extend_from_slice(data);
            return Ok(());
        };
        let mut start = 0;
        if !self.carry.is_empty() {
            let first_nl = memchr::memchr(b'\n', data).unwrap_or(last_nl);
            let mut line = std::mem::take(&mut self.carry);
            line.extend_from_slice(&data[..=first_nl]);
            let r = self.parse_lines(&line);
            line.clear();
            self.carry = line; // keep the allocation
            r?;
            start = first_nl + 1;
        }
        self.parse_lines(&data[start..=last_nl])?;
        self.carry.extend_from_slice(&data[last_nl + 1..]);
        Ok(())
    }

    /// Parse the last, unterminated line if any; returns all kept values, row-major (`kept x dim`).
    pub fn finish(&mut self) -> Result<Vec<f32>, VectorsError> {
        let tail = std::mem::take(&mut self.carry);
        if !tail.is_empty() {
            self.parse_lines(&tail)?;
        }
        Ok(std::mem::take(&mut self.values))
    }

    /// Parse a block of whole lines (the last may lack its `\n`).
    fn parse_lines(&mut self, block: &[u8]) -> Result<(), VectorsError> {
        let mut pos = 0;
        while pos < block.len() {
            let nl = memchr::memchr(b'\n', &block[pos..]).map(|i| pos + i);
            let (end, next) = match nl {
                Some(i) => (i + 1, i + 1),
                None => (block.len(), block.len()),
            };
            self.line += 1;
            self.parse_line(&block[pos..end])?;
            pos = next;
        }
        Ok(())
    }

    /// One line, its `\n` included when present.
    fn parse_line(&mut self, line: &[u8]) -> Result<(), VectorsError> {
        let at = self.line;
        let err = |kind| VectorsError { line: at, kind };
        let space = memchr::memchr(b' ', line);
        // Blank line: skipped, not counted. A line with a space can be blank too ("  \n").
        let first = line.iter().position(|&b| !is_ws(b));
        if first.is_none() {
            return Ok(());
        }
        self.rows += 1;
        if let Some(max) = self.max_rows {
            if self.rows > max {
                return Err(err(VectorsErrorKind::MoreRows { header_rows: max }));
            }
        }
        let (word, rest): (&[u8], &[u8]) = match space {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &[]),
        };
        let dim = match self.dim {
            Some(d) => d,
            None => {
                let d = count_fields(rest);
                if d == 0 {
                    return Err(err(VectorsErrorKind::NoValues));
                }
                self.dim = Some(d);
                d
            }
        };
        if let Some(keep) = &self.keep {
            if !keep.contains(word) {
                return Ok(());
            }
        }
        let w: std::borrow::Cow<'_, str> = match std::str::from_utf8(word) {
            Ok(s) => s.into(),
            Err(_) if self.replace => {
                self.replaced += 1;
                String::from_utf8_lossy(word)
            }
            Err(_) => {
                return Err(err(VectorsErrorKind::InvalidUtf8 {
                    word: word.to_vec(),
                }))
            }
        };
        match self.seen.entry_ref(w.as_ref()) {
            EntryRef::Occupied(_) => {
                self.duplicates += 1;
                return Ok(());
            }
            EntryRef::Vacant(v) => {
                v.insert(());
            }
        }
        let start = self.values.len();
        let mut found = 0usize;
        let mut bad: Option<(usize, usize)> = None;
        let mut i = 0;
        let n = rest.len();
        loop {
            while i < n && is_ws(rest[i]) {
                i += 1;
            }
            if i == n {
                break;
            }
            found += 1;
            if let Some((v, used)) = parse_fast(&rest[i..]) {
                if bad.is_none() {
                    self.values.push(v);
                }
                i += used;
                continue;
            }
            match fast_float2::parse_partial::<f32, _>(&rest[i..]) {
                Ok((v, used)) if i + used == n || is_ws(rest[i + used]) => {
                    if bad.is_none() {
                        self.values.push(v);
                    }
                    i += used;
                }
                _ => {
                    let end = rest[i..]
                        .iter()
                        .position(|&b| is_ws(b))
                        .map_or(n, |j| i + j);
                    if is_nan_with_payload(&rest[i..end]) {
                        if bad.is_none() {
                            self.values.push(f32::NAN);
                        }
                    } else {
                        bad.get_or_insert((i, end));
                    }
                    i = end;
                }
            }
        }
        if found != dim {
            self.values.truncate(start);
            return Err(err(VectorsErrorKind::FieldCount {
                word: word.to_vec(),
                expected: dim,
                found,
            }));
        }
        if let Some((a, b)) = bad {
            self.values.truncate(start);
            return Err(err(VectorsErrorKind::Float {
                token: rest[a..b].to_vec(),
            }));
        }
        if !self.values[start..].iter().all(|v| v.is_finite()) {
            self.nonfinite.push((self.kept, at));
        }
        self.words.push(w.into_owned());
        self.kept += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(
        data: &[u8],
        dim: Option<usize>,
        keep: Option<&[&str]>,
        replace: bool,
        step: usize,
    ) -> Result<(Vec<String>, Vec<f32>, TextVectorsParser), VectorsError> {
        let keep = keep.map(|k| k.iter().map(|w| w.as_bytes().to_vec()).collect());
        let mut p = TextVectorsParser::new(dim, keep, None, replace, 0);
        let mut words = Vec::new();
        for piece in data.chunks(step.max(1)) {
            p.feed(piece)?;
            words.extend(p.take_words());
        }
        let values = p.finish()?;
        words.extend(p.take_words());
        Ok((words, values, p))
    }

    #[test]
    fn messages_quote_words_as_python_repr() {
        assert_eq!(py_repr_str("b\n"), "'b\\n'");
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        assert_eq!(py_repr_str("'\""), "'\\'\"'");
        assert_eq!(
            py_repr_str("é\u{200b}\u{7f}\u{a0}\u{e000}日"),
            "'é\\u200b\\x7f\\xa0\\ue000日'"
        );
        assert_eq!(py_repr_str("\u{10ffff}😀"), "'\\U0010ffff😀'");
        assert_eq!(py_repr_bytes(b"a\xff'\\"), "b\"a\\xff'\\\\\"");
        let e = VectorsError {
            line: 4,
            kind: VectorsErrorKind::FieldCount {
                word: b"".to_vec(),
                expected: 2,
                found: 0,
            },
        };
        assert_eq!(
            e.in_file("spaced.txt").to_string(),
            "spaced.txt: line 4: expected 2 values after the word '', found 0"
        );
    }

    #[test]
    fn parses_rows_in_any_block_size() {
        let data = b"the 1 2 3\ncat 4.5 -5e-1 6\n\n  \ndog\t7 8\t9 10 \r\nemu 1 1 1";
        for step in [1, 2, 3, 7, 16, 1000] {
            let (words, values, p) = parse_all(data, None, None, false, step).unwrap();
            assert_eq!(words, ["the", "cat", "dog\t7", "emu"], "step {step}");
            assert_eq!(values, [1., 2., 3., 4.5, -0.5, 6., 8., 9., 10., 1., 1., 1.]);
            let c = p.counts();
            assert_eq!((c.rows, c.kept, c.lines), (4, 4, 6));
        }
    }

    #[test]
    fn keep_filter_runs_before_any_check() {
        // "bad" has a broken row but is filtered out; "no space" lines are all word (newline included).
        let data = b"the 1 2\nbad x y z\ncat 3 4\nlonely\ncat 9 9\n";
        let (words, values, p) = parse_all(data, None, Some(&["cat", "lonely"]), false, 5).unwrap();
        assert_eq!(words, ["cat"]);
        assert_eq!(values, [3., 4.]);
        assert_eq!(p.counts().duplicates, 1);
        assert_eq!(p.counts().rows, 5);
    }

    #[test]
    fn first_wins_on_duplicates_which_are_not_checked() {
        let (words, values, p) = parse_all(b"a 1\nb 2\na x y\n", None, None, false, 4).unwrap();
        assert_eq!(
            (words, values),
            (vec!["a".to_string(), "b".into()], vec![1., 2.])
        );
        assert_eq!(p.counts().duplicates, 1);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_all(b"a 1 2\n\nb 1\n", None, None, false, 3).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(
            e.kind,
            VectorsErrorKind::FieldCount {
                word: b"b".to_vec(),
                expected: 2,
                found: 1
            }
        );
        let e = parse_all(b"a 1 2\nb 1 2x\n", None, None, false, 100).unwrap_err();
        assert_eq!(
            e.in_file("v.txt").to_string(),
            "v.txt: line 2: cannot parse '2x' as a float"
        );
        // a wrong count wins over a bad token on the same line
        let e = parse_all(b"a 1 2\nb zz\n", None, None, false, 100).unwrap_err();
        assert!(matches!(
            e.kind,
            VectorsErrorKind::FieldCount { found: 1, .. }
        ));
        let e = parse_all(b"lonely\n", None, None, false, 100).unwrap_err();
        assert_eq!((e.line, e.kind), (1, VectorsErrorKind::NoValues));
        let e = parse_all(b"a 1\n\xffb 2\n", None, None, false, 100).unwrap_err();
        assert_eq!(
            e.kind,
            VectorsErrorKind::InvalidUtf8 {
                word: b"\xffb".to_vec()
            }
        );
    }

    #[test]
    fn header_row_count_and_line_offset() {
        let mut p = TextVectorsParser::new(Some(1), None, Some(2), false, 1);
        let e = p.feed(b"a 1\nb 2\nc 3\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert_eq!(e.kind, VectorsErrorKind::MoreRows { header_rows: 2 });
    }

    #[test]
    fn replace_policy_repairs_and_counts() {
        let data = b"\xffa 1\n\xfea 2\nok 3\n";
        let (words, values, p) = parse_all(data, None, None, true, 2).unwrap();
        // both repair to the same word: the second is a duplicate, as with Python's decode(errors="replace")
        assert_eq!(words, ["\u{fffd}a", "ok"]);
        assert_eq!(values, [1., 3.]);
        assert_eq!((p.counts().replaced, p.counts().duplicates), (2, 1));
    }

    #[test]
    fn nonfinite_rows_are_reported() {
        let (_, values, p) =
            parse_all(b"a 1 2\nb nan 1\nc 1 -Infinity\n", None, None, false, 100).unwrap();
        assert_eq!(p.nonfinite(), &[(1, 2), (2, 3)]);
        assert!(values[2].is_nan() && values[5] == f32::NEG_INFINITY);
        let (_, values, p) = parse_all(b"a -NaN(x_1) 1\n", None, None, false, 100).unwrap();
        assert!(values[0].is_nan() && p.nonfinite() == [(0, 1)]);
        for tok in ["nan(1", "nan(a-b)", "nan)", "xnan()"] {
            let line = format!("a {tok} 1\n");
            let e = parse_all(line.as_bytes(), None, None, false, 100).unwrap_err();
            assert!(matches!(e.kind, VectorsErrorKind::Float { .. }), "{tok}");
        }
    }

    #[test]
    fn floats_are_correctly_rounded() {
        let toks = [
            "0.1",
            "-1e-45",
            "3.4028235e38",
            "1.17549435e-38",
            "0.418",
            "-0.00049",
        ];
        let line = format!("w {}\n", toks.join(" "));
        let (_, values, _) = parse_all(line.as_bytes(), None, None, false, 100).unwrap();
        let want: Vec<f32> = toks.iter().map(|t| t.parse().unwrap()).collect();
        assert_eq!(values, want);
    }

    #[test]
    fn float_parser_agrees_with_std() {
        let mut toks: Vec<String> = [
            "0",
            "-0",
            "+0.0",
            "1.",
            ".5",
            "-.5",
            "1e5",
            "1E-5",
            "1.5e+3",
            "16777216",
            "16777217",
            "16777218",
            "0.1",
            "0.3",
            "3.4e10",
            "1e-10",
            "9.999999e-1",
            "123456.7",
            "0.00066023",
            "-0.41242",
            "1e",
            "e1",
            ".",
            "-",
            "+",
            "1.2.3",
            "1e+",
            "00000000000000000001",
            "0.0000000001",
            "12345678901234567890",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // xorshift: random short decimals, with and without exponents, around f32's exact-integer limit
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let m = next() % (1 << 26);
            let point = (next() % 12) as usize;
            let e = (next() % 25) as i64 - 12;
            let mut t = m.to_string();
            if point < t.len() {
                t.insert(t.len() - point, '.');
            }
            if next() % 2 == 0 {
                t = format!("{t}e{e}");
            }
            if next() % 2 == 0 {
                t.insert(0, '-');
            }
            toks.push(t);
        }
        let mut fast = 0;
        for t in &toks {
            // the fast path, with the token followed by a separator and padding, as inside a line
            let padded = format!("{t} 1234567890123456");
            if let Some((v, used)) = parse_fast(padded.as_bytes()) {
                assert_eq!(used, t.len(), "{t}");
                assert_eq!(
                    Some(v.to_bits()),
                    t.parse::<f32>().ok().map(f32::to_bits),
                    "{t}"
                );
                fast += 1;
            }
            let want = t.parse::<f32>().ok().map(f32::to_bits);
            let got = match fast_float2::parse_partial::<f32, _>(t.as_bytes()) {
                Ok((v, used)) if used == t.len() => Some(v.to_bits()),
                _ => None,
            };
            assert_eq!(got, want, "{t}");
        }
        assert!(fast > 1_000, "the fast path took {fast} tokens");
        assert_eq!(parse_fast(b"0.5x 1234567890123456"), None);
        assert_eq!(
            parse_fast(b"0.5"),
            None,
            "fewer than 16 bytes: left to the general parser"
        );
    }

    #[test]
    fn glove_sample_from_shared_data() {
        let Some(path) = crate::shared_data("fixtures/glove_6B_50d_top300.txt") else {
            eprintln!("skipped: ../shared/data/fixtures/glove_6B_50d_top300.txt is absent");
            return;
        };
        let data = std::fs::read(path).unwrap();
        let (words, values, p) = parse_all(&data, None, None, false, 1 << 12).unwrap();
        assert_eq!(p.dim(), Some(50));
        assert_eq!(words.len(), 300);
        assert_eq!(values.len(), 300 * 50);
        assert_eq!(words[0], "the");
        // every value bit-equal to str::parse (correctly rounded), whichever path parsed it
        let text = std::str::from_utf8(&data).unwrap();
        let want: Vec<u32> = text
            .lines()
            .flat_map(|l| l.split(' ').skip(1))
            .map(|t| t.parse::<f32>().unwrap().to_bits())
            .collect();
        let got: Vec<u32> = values.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, want);
    }
}
