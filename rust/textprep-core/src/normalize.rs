//! Normalization: HTML, control characters, Unicode form, accents, case, removed characters, CJK padding,
//! placeholders (url/email/mention/hashtag/number/emoji) and whitespace, in that order, with an optional
//! alignment map back to the original text.
//!
//! INTERFACE (fixed; the implementation may add private items):
//! - `Normalizer::new(&NormalizeConfig) -> Result<Normalizer>`
//! - `Normalizer::normalize_into(&self, text, &mut Normalized, track: bool)`: fills `out.text`; when `track`,
//!   `out.align[i]` is the byte range in `text` that produced byte `i` of `out.text` (`align.len() == text.len()`);
//!   `out.protected` lists byte ranges of `out.text` that must stay one token (replaced placeholders), sorted.
//! - `Normalizer::normalize(&self, text) -> String`
//!
//! Each enabled stage reads the previous stage's output and writes into the other of two ping-pong buffers;
//! a stage that finds nothing to change (e.g. NFKC of ASCII text, lowercase of lowercase text) leaves the
//! buffers alone, so no copy is made. With tracking, every stage maps the input range of each output segment
//! through the previous alignment, so the ranges always refer to the original text. Ranges are non-decreasing
//! (in both start and end) and lie on char boundaries of the original; offsets are `u32` (texts up to 4 GiB).
//!
//! Unicode data: normalization from `unicode-normalization` (its `UNICODE_VERSION`), general categories from
//! `unicode-general-category` (Unicode 16), lowercase from Rust's std (`char::UNICODE_VERSION`), case folding
//! from CaseFolding-15.0.0.txt (see `normalize_tables.rs`), emoji properties from the `regex` crate (Unicode 16).

use std::iter::once;
use std::mem;
use std::sync::OnceLock;

use regex::Regex;
use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::char::{
    canonical_combining_class, decompose_canonical, decompose_compatible,
};
use unicode_normalization::{
    is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick, IsNormalized, UnicodeNormalization,
};

use crate::config::{AccentMode, CaseMode, NormalizeConfig, Placeholder, UnicodeForm, Whitespace};
use crate::{Error, Result};

#[path = "normalize_tables.rs"]
mod tables;

/// Output buffers of one normalization, reused across documents.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// The normalized text.
    pub text: String,
    /// With tracking: for each byte of `text`, the (start, end) byte range in the original text.
    pub align: Vec<(u32, u32)>,
    /// Sorted byte ranges of `text` that are one token each (placeholders).
    pub protected: Vec<(u32, u32)>,
    /// The second ping-pong buffer of the stages (kept to reuse its allocation).
    scratch: Buf,
}

impl Normalized {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }
}

/// A text with (optionally) its alignment to the original.
#[derive(Debug, Default, Clone)]
struct Buf {
    text: String,
    align: Vec<(u32, u32)>,
}

/// A compiled normalizer (immutable, shareable across threads).
///
/// Case notes: there is no locale tailoring. Turkish dotted capital I "İ" (U+0130) lowercases to "i̇"
/// (i + U+0307 COMBINING DOT ABOVE) under `lower`, `lower_char` and `fold` alike; dotless "ı" (U+0131) is
/// unchanged; "I" always becomes "i".
///
/// `strip_control` removes every character of general category Cc, Cf or Co except `\t`, `\n`, `\r`,
/// plus U+FFFD (BERT's `clean_text`; like HF tokenizers, unassigned code points are kept). Cf includes the zero-width joiner and non-joiner (so emoji ZWJ
/// sequences fall apart into their parts), the bidi controls (U+200E/F, U+202A-202E, U+2066-2069), the
/// soft hyphen U+00AD and the byte order mark / zero-width no-break space U+FEFF.
#[derive(Debug, Clone)]
pub struct Normalizer {
    cfg: NormalizeConfig,
    remove: Option<CharSet>,
    places: Option<Placeholders>,
}

impl Normalizer {
    /// Compile a normalizer from its config.
    pub fn new(cfg: &NormalizeConfig) -> Result<Normalizer> {
        let remove = if cfg.remove_chars.is_empty() {
            None
        } else {
            Some(CharSet::new(&cfg.remove_chars))
        };
        Ok(Normalizer {
            cfg: cfg.clone(),
            remove,
            places: Placeholders::new(cfg)?,
        })
    }

    /// Normalize `text` into `out` (cleared first); see the module docs for `track`.
    pub fn normalize_into(&self, text: &str, out: &mut Normalized, track: bool) {
        out.protected.clear();
        let mut st = Stages {
            orig: text,
            cur: Cur::Orig,
            a: Buf {
                text: mem::take(&mut out.text),
                align: mem::take(&mut out.align),
            },
            b: mem::take(&mut out.scratch),
            track,
        };
        let cfg = &self.cfg;
        if cfg.strip_html {
            st.run(strip_html);
        }
        if cfg.strip_control {
            st.run(strip_control);
        }
        if cfg.unicode != UnicodeForm::None {
            st.run(|i, o| unicode_form(cfg.unicode, i, o));
        }
        if cfg.accents != AccentMode::Keep {
            let recompose = matches!(
                cfg.unicode,
                UnicodeForm::Nfc | UnicodeForm::Nfkc | UnicodeForm::None
            );
            st.run(|i, o| strip_accents(cfg.accents, recompose, i, o));
        }
        if cfg.case != CaseMode::Keep
            && st.run(|i, o| map_case(cfg.case, i, o))
            && cfg.unicode != UnicodeForm::None
        {
            // Case mapping can leave the form: "İ" lowercases to i + U+0307, which must be reordered before
            // a following mark of lower class, and "W" + ring above (no composite) lowercases to w + ring,
            // which composes to "ẘ". Re-applying the form keeps the output normalized and idempotent; it is
            // a quick check that changes nothing for nearly all texts (and is skipped for ASCII).
            st.run(|i, o| unicode_form(cfg.unicode, i, o));
        }
        if let Some(set) = &self.remove {
            st.run(|i, o| set.remove_from(i, o));
        }
        if cfg.pad_cjk {
            st.run(pad_cjk);
        }
        if let Some(places) = &self.places {
            let protected = &mut out.protected;
            st.run(|i, o| places.apply(i, o, protected));
        }
        if cfg.whitespace != Whitespace::Keep {
            let protected = &mut out.protected;
            st.run(|i, o| whitespace(cfg.whitespace, i, o, protected));
        }
        st.finish(out);
    }

    /// Normalize one string.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = Normalized::new();
        self.normalize_into(text, &mut out, false);
        out.text
    }
}

// ---------------------------------------------------------------------------------------------------------
// Stage plumbing
// ---------------------------------------------------------------------------------------------------------

/// Where the current text lives.
#[derive(Clone, Copy)]
enum Cur {
    Orig,
    A,
    B,
}

/// The ping-pong buffers of one normalization.
struct Stages<'t> {
    orig: &'t str,
    cur: Cur,
    a: Buf,
    b: Buf,
    track: bool,
}

impl Stages<'_> {
    /// Run one stage; it returns false when it changed nothing (and then its output is ignored).
    /// Returns whether the stage changed the text.
    fn run(&mut self, stage: impl FnOnce(&str, &mut Out<'_>) -> bool) -> bool {
        let track = self.track;
        let (input, prev, dst, next) = match self.cur {
            Cur::Orig => (self.orig, None, &mut self.a, Cur::A),
            Cur::A => (
                self.a.text.as_str(),
                Some(self.a.align.as_slice()),
                &mut self.b,
                Cur::B,
            ),
            Cur::B => (
                self.b.text.as_str(),
                Some(self.b.align.as_slice()),
                &mut self.a,
                Cur::A,
            ),
        };
        dst.text.clear();
        dst.align.clear();
        let mut out = Out {
            text: &mut dst.text,
            align: &mut dst.align,
            prev: if track { prev } else { None },
            track,
        };
        let changed = stage(input, &mut out);
        if changed {
            self.cur = next;
        }
        changed
    }

    /// Move the result into `out` (keeping the other buffer as scratch).
    fn finish(self, out: &mut Normalized) {
        let Stages {
            orig,
            cur,
            mut a,
            mut b,
            track,
        } = self;
        match cur {
            Cur::Orig => {
                a.text.clear();
                a.align.clear();
                a.text.push_str(orig);
                if track {
                    identity_align(orig, 0, &mut a.align);
                }
            }
            Cur::A => {}
            Cur::B => mem::swap(&mut a, &mut b),
        }
        if !track {
            a.align.clear();
        }
        out.text = a.text;
        out.align = a.align;
        out.scratch = b;
    }
}

/// Per-char alignment of a slice of the original text starting at byte `base`.
fn identity_align(s: &str, base: usize, align: &mut Vec<(u32, u32)>) {
    if s.is_ascii() {
        align.extend((base..base + s.len()).map(|i| (i as u32, (i + 1) as u32)));
        return;
    }
    for (i, c) in s.char_indices() {
        let r = ((base + i) as u32, (base + i + c.len_utf8()) as u32);
        align.extend(std::iter::repeat_n(r, c.len_utf8()));
    }
}

/// The output of one stage: text plus (when tracking) alignment mapped through the stage input's alignment.
struct Out<'a> {
    text: &'a mut String,
    align: &'a mut Vec<(u32, u32)>,
    /// Alignment of the stage input; `None` when the input is the original text (identity) or not tracking.
    prev: Option<&'a [(u32, u32)]>,
    track: bool,
}

impl Out<'_> {
    /// Source range of the non-empty stage-input range `a..b`.
    #[inline]
    fn src(&self, a: usize, b: usize) -> (u32, u32) {
        match self.prev {
            None => (a as u32, b as u32),
            Some(al) => match (al.get(a), b.checked_sub(1).and_then(|e| al.get(e))) {
                (Some(x), Some(y)) if a < b => (x.0, y.1),
                _ => self.empty_at(a, false),
            },
        }
    }

    /// Empty source range for text inserted at stage-input position `p` (attached to the preceding char
    /// when `after`, else to the following one). Inside a segment whose chars share one source range (e.g.
    /// between the parts of a ligature), the inserted text gets the overlap instead, so ranges stay sorted.
    fn empty_at(&self, p: usize, after: bool) -> (u32, u32) {
        let Some(al) = self.prev else {
            return (p as u32, p as u32);
        };
        let before = p.checked_sub(1).and_then(|q| al.get(q));
        match (before, al.get(p)) {
            (Some(b), Some(n)) => {
                if b.1 <= n.0 {
                    if after {
                        (b.1, b.1)
                    } else {
                        (n.0, n.0)
                    }
                } else {
                    (n.0, b.1)
                }
            }
            (Some(b), None) => (b.1, b.1),
            (None, Some(n)) => (n.0, n.0),
            (None, None) => (0, 0),
        }
    }

    /// Copy `input[a..b]` unchanged (its alignment byte by byte).
    #[inline]
    fn copy(&mut self, input: &str, a: usize, b: usize) {
        if a >= b {
            return;
        }
        let Some(s) = input.get(a..b) else { return };
        self.text.push_str(s);
        if self.track {
            self.copy_align(input, a, b);
        }
    }

    /// Append the alignment of `input[a..b]` (for length-preserving rewrites).
    fn copy_align(&mut self, input: &str, a: usize, b: usize) {
        match self.prev {
            Some(al) => self.align.extend_from_slice(al.get(a..b).unwrap_or(&[])),
            None => identity_align(input.get(a..b).unwrap_or(""), a, self.align),
        }
    }

    /// Append `c` with the precomputed source range `r`.
    #[inline]
    fn push_r(&mut self, c: char, r: (u32, u32)) {
        self.text.push(c);
        if self.track {
            self.align.extend(std::iter::repeat_n(r, c.len_utf8()));
        }
    }

    /// Append `c` produced from the stage-input range `a..b`.
    #[inline]
    fn emit(&mut self, c: char, a: usize, b: usize) {
        let r = if self.track { self.src(a, b) } else { (0, 0) };
        self.push_r(c, r);
    }

    /// Append `s` produced from the stage-input range `a..b`.
    fn emit_str(&mut self, s: &str, a: usize, b: usize) {
        self.text.push_str(s);
        if self.track {
            let r = self.src(a, b);
            self.align.extend(std::iter::repeat_n(r, s.len()));
        }
    }

    /// Append `c` produced from nothing at stage-input position `p`.
    fn insert(&mut self, c: char, p: usize, after: bool) {
        let r = if self.track {
            self.empty_at(p, after)
        } else {
            (0, 0)
        };
        self.push_r(c, r);
    }

    /// Source range for a segment, computed only when tracking.
    #[inline]
    fn range(&self, a: usize, b: usize) -> (u32, u32) {
        if self.track {
            self.src(a, b)
        } else {
            (0, 0)
        }
    }
}

/// Byte index of the first char of `s` for which `ascii` (ASCII bytes) or `other` (other chars) holds.
#[inline]
fn find_char(s: &str, ascii: impl Fn(u8) -> bool, other: impl Fn(char) -> bool) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if ascii(b) {
                return Some(i);
            }
            i += 1;
        } else {
            let c = s.get(i..).and_then(|t| t.chars().next())?;
            if other(c) {
                return Some(i);
            }
            i += c.len_utf8();
        }
    }
    None
}

/// Copy `input` to `out` without the chars matching `drop`, starting the scan at `first` (a char boundary
/// where a dropped char is known to be).
fn drop_chars(input: &str, out: &mut Out<'_>, first: usize, drop: impl Fn(char) -> bool) {
    out.copy(input, 0, first);
    let mut run = first;
    for (i, c) in input.get(first..).unwrap_or("").char_indices() {
        if drop(c) {
            let i = first + i;
            out.copy(input, run, i);
            run = i + c.len_utf8();
        }
    }
    out.copy(input, run, input.len());
}

// ---------------------------------------------------------------------------------------------------------
// 1. HTML
// ---------------------------------------------------------------------------------------------------------

/// Remove tags, comments and `<script>`/`<style>` bodies and decode character references.
///
/// A `<` starts a tag only when followed by a letter (`<p`, `</p`), `!` or `?` and closed by a later `>`;
/// otherwise it is text (`a < b`). Attribute values are not parsed, so a `>` inside a quoted value ends the
/// tag early. Block-level tags become one space (unless the output already ends with whitespace) so words do
/// not glue; inline tags (`<b>`, `<span>`, `<a>`) and comments vanish. An unclosed comment or script body
/// runs to the end of the text, as in browsers. Named references need their `;`; numeric ones may omit it.
fn strip_html(input: &str, out: &mut Out<'_>) -> bool {
    let bytes = input.as_bytes();
    let Some(first) = bytes.iter().position(|&b| b == b'<' || b == b'&') else {
        return false;
    };
    out.copy(input, 0, first);
    let mut gt = GtFinder {
        from: 0,
        at: None,
        valid: false,
    };
    let mut run = first;
    let mut i = first;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|t| t.iter().position(|&b| b == b'<' || b == b'&'))
    {
        i += off;
        if bytes[i] == b'<' {
            if let Some((end, block)) = parse_tag(bytes, i, &mut gt) {
                out.copy(input, run, i);
                if block && !out.text.is_empty() && !out.text.ends_with(char::is_whitespace) {
                    out.emit(' ', i, end);
                }
                i = end;
                run = end;
                continue;
            }
        } else if let Some((end, c)) = parse_entity(bytes, i) {
            out.copy(input, run, i);
            out.emit(c, i, end);
            i = end;
            run = end;
            continue;
        }
        i += 1;
    }
    out.copy(input, run, input.len());
    true
}

/// Finds the next `>` with a cache, so scanning many `<` without a `>` stays linear.
struct GtFinder {
    from: usize,
    at: Option<usize>,
    valid: bool,
}

impl GtFinder {
    /// Position of the first `>` at or after `from` (queries must not go backwards for linear time).
    fn find(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        if self.valid && from >= self.from {
            match self.at {
                None => return None,
                Some(p) if p >= from => return Some(p),
                _ => {}
            }
        }
        self.at = bytes
            .get(from..)
            .and_then(|t| t.iter().position(|&b| b == b'>'))
            .map(|p| p + from);
        self.from = from;
        self.valid = true;
        self.at
    }
}

/// Position just after the first occurrence of `pat` at or after `from`.
fn find_after(bytes: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| from + p + pat.len())
}

/// Block-level element names (lowercase): their tags become a space.
const BLOCK_TAGS: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"body",
    b"br",
    b"caption",
    b"dd",
    b"div",
    b"dl",
    b"dt",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"form",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"head",
    b"header",
    b"hr",
    b"html",
    b"iframe",
    b"li",
    b"main",
    b"nav",
    b"noscript",
    b"ol",
    b"option",
    b"p",
    b"pre",
    b"script",
    b"section",
    b"select",
    b"style",
    b"table",
    b"tbody",
    b"td",
    b"textarea",
    b"tfoot",
    b"th",
    b"thead",
    b"title",
    b"tr",
    b"ul",
];

/// Parse a tag, comment or declaration at `bytes[i] == b'<'`: (end, is_block), or `None` if it is text.
fn parse_tag(bytes: &[u8], i: usize, gt: &mut GtFinder) -> Option<(usize, bool)> {
    let rest = bytes.get(i + 1..)?;
    if rest.starts_with(b"!--") {
        let end = find_after(bytes, i + 4, b"-->").unwrap_or(bytes.len());
        return Some((end, false));
    }
    let first = *rest.first()?;
    if first == b'!' || first == b'?' {
        return gt.find(bytes, i + 2).map(|p| (p + 1, false));
    }
    let closing = first == b'/';
    let name_start = if closing { i + 2 } else { i + 1 };
    if !bytes.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut name_end = name_start;
    while bytes
        .get(name_end)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'_')
    {
        name_end += 1;
    }
    match bytes.get(name_end) {
        Some(b) if b.is_ascii_whitespace() || *b == b'/' || *b == b'>' => {}
        _ => return None,
    }
    let close = gt.find(bytes, name_end)?;
    let mut name = [0u8; 16];
    let len = name_end - name_start;
    let name = if len <= name.len() {
        for (d, s) in name.iter_mut().zip(&bytes[name_start..name_end]) {
            *d = s.to_ascii_lowercase();
        }
        &name[..len]
    } else {
        &name[..0]
    };
    let block = BLOCK_TAGS.binary_search(&name).is_ok();
    let raw_text = name == b"script" || name == b"style";
    if !closing && raw_text && bytes.get(close.wrapping_sub(1)) != Some(&b'/') {
        // The body runs to the matching end tag (case-insensitive), or to the end of the text.
        let mut j = close + 1;
        while let Some(p) = find_after(bytes, j, b"</") {
            let cand = bytes.get(p..p + name.len());
            if cand.is_some_and(|c| c.eq_ignore_ascii_case(name))
                && bytes
                    .get(p + name.len())
                    .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            {
                let end = gt
                    .find(bytes, p + name.len())
                    .map_or(bytes.len(), |q| q + 1);
                return Some((end, true));
            }
            j = p;
        }
        return Some((bytes.len(), true));
    }
    Some((close + 1, block))
}

/// Windows-1252 meanings of the numeric references `&#128;`..`&#159;` (HTML5); 0 = keep the code point.
const CP1252: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// Parse a character reference at `bytes[i] == b'&'`: (end, char), or `None` if it is text.
fn parse_entity(bytes: &[u8], i: usize) -> Option<(usize, char)> {
    let mut j = i + 1;
    if bytes.get(j) == Some(&b'#') {
        j += 1;
        let hex = matches!(bytes.get(j), Some(b'x' | b'X'));
        if hex {
            j += 1;
        }
        let start = j;
        let mut v: u32 = 0;
        while let Some(d) = bytes
            .get(j)
            .and_then(|&b| (b as char).to_digit(if hex { 16 } else { 10 }))
        {
            v = v
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(d)
                .min(0x11_0000);
            j += 1;
        }
        if j == start {
            return None;
        }
        if bytes.get(j) == Some(&b';') {
            j += 1;
        }
        let c = match v {
            0 => '\u{FFFD}',
            0x80..=0x9F => match CP1252[(v - 0x80) as usize] {
                0 => char::from_u32(v).unwrap_or('\u{FFFD}'),
                m => char::from_u32(m as u32).unwrap_or('\u{FFFD}'),
            },
            _ => char::from_u32(v).unwrap_or('\u{FFFD}'),
        };
        return Some((j, c));
    }
    while j < i + 33 && bytes.get(j).is_some_and(u8::is_ascii_alphanumeric) {
        j += 1;
    }
    if j == i + 1 || bytes.get(j) != Some(&b';') {
        return None;
    }
    let name = std::str::from_utf8(&bytes[i + 1..j]).ok()?;
    let k = tables::HTML_ENTITIES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()?;
    Some((j + 1, tables::HTML_ENTITIES[k].1))
}

// ---------------------------------------------------------------------------------------------------------
// 2. Control characters
// ---------------------------------------------------------------------------------------------------------

/// ASCII control bytes removed by `strip_control` (all of Cc except tab, newline, carriage return).
#[inline]
fn is_ascii_control_removed(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F
}

/// Non-ASCII chars removed by `strip_control`: categories Cc, Cf, Co (and Cs), plus U+FFFD. Unassigned (Cn)
/// code points are kept, as HF tokenizers' `BertNormalizer` keeps them.
#[inline]
fn is_control_removed(c: char) -> bool {
    if c.is_ascii() {
        return is_ascii_control_removed(c as u8);
    }
    c == '\u{FFFD}'
        || matches!(
            get_general_category(c),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
        )
}

/// Remove control/format/private-use/unassigned chars and U+FFFD, keeping `\t \n \r`.
fn strip_control(input: &str, out: &mut Out<'_>) -> bool {
    let Some(first) = find_char(input, is_ascii_control_removed, is_control_removed) else {
        return false;
    };
    drop_chars(input, out, first, is_control_removed);
    true
}

// ---------------------------------------------------------------------------------------------------------
// 3. Unicode normalization forms
// ---------------------------------------------------------------------------------------------------------

/// Bitmaps over the BMP, built once per process (48 KiB): a set bit means the char needs no work.
/// They replace per-char table searches on the hot path (the multilingual sample went from about 200 to
/// about 600 MB/s for the NFKC quick check).
struct BmpSets {
    /// Per form (NFC, NFKC, NFD, NFKD): ccc 0 and quick check `Yes`.
    forms: [Vec<u64>; 4],
    /// Lowercase maps the char to itself (and it is not capital sigma).
    lower_same: Vec<u64>,
    /// Case folding maps the char to itself.
    fold_same: Vec<u64>,
}

fn bmp_sets() -> &'static BmpSets {
    static SETS: OnceLock<BmpSets> = OnceLock::new();
    SETS.get_or_init(|| {
        let build = |f: &dyn Fn(char) -> bool| {
            let mut v = vec![0u64; 1024];
            for u in 0..0x1_0000u32 {
                if char::from_u32(u).is_some_and(f) {
                    v[(u >> 6) as usize] |= 1 << (u & 63);
                }
            }
            v
        };
        let form = |form: UnicodeForm| {
            build(&move |c| {
                canonical_combining_class(c) == 0 && quick_single(form, c) == IsNormalized::Yes
            })
        };
        BmpSets {
            forms: [
                form(UnicodeForm::Nfc),
                form(UnicodeForm::Nfkc),
                form(UnicodeForm::Nfd),
                form(UnicodeForm::Nfkd),
            ],
            lower_same: build(&|c| {
                let mut it = c.to_lowercase();
                c != 'Σ' && it.next() == Some(c) && it.next().is_none()
            }),
            fold_same: build(&|c| casefold(c).is_none()),
        }
    })
}

/// Whether the BMP bitmap `set` contains `c`.
#[inline]
fn in_bmp_set(set: &[u64], c: char) -> bool {
    let u = c as u32;
    u < 0x1_0000
        && set
            .get((u >> 6) as usize)
            .is_some_and(|w| (w >> (u & 63)) & 1 == 1)
}

/// Quick check of one char alone.
fn quick_single(form: UnicodeForm, c: char) -> IsNormalized {
    match form {
        UnicodeForm::None => IsNormalized::Yes,
        UnicodeForm::Nfc => is_nfc_quick(once(c)),
        UnicodeForm::Nfkc => is_nfkc_quick(once(c)),
        UnicodeForm::Nfd => is_nfd_quick(once(c)),
        UnicodeForm::Nfkd => is_nfkd_quick(once(c)),
    }
}

/// The UAX #15 quick check answers `Yes` for `s` (same algorithm as `is_nfc_quick` & co., with the BMP
/// bitmap in front).
fn quick_yes(form: UnicodeForm, s: &str) -> bool {
    let set = match form {
        UnicodeForm::None => return true,
        UnicodeForm::Nfc => &bmp_sets().forms[0],
        UnicodeForm::Nfkc => &bmp_sets().forms[1],
        UnicodeForm::Nfd => &bmp_sets().forms[2],
        UnicodeForm::Nfkd => &bmp_sets().forms[3],
    };
    let mut last_ccc = 0;
    for c in s.chars() {
        if c.is_ascii() || in_bmp_set(set, c) {
            last_ccc = 0;
            continue;
        }
        let cc = canonical_combining_class(c);
        if (cc != 0 && last_ccc > cc) || quick_single(form, c) != IsNormalized::Yes {
            return false;
        }
        last_ccc = cc;
    }
    true
}

/// Whether a normalization segment can start at `c`: the first char of its (canonical or compatibility)
/// decomposition is a starter (ccc 0) that never composes with a preceding char (NFC_QC != Maybe, only
/// checked for composing forms) and (with `keep_generic`) is not a removed generic diacritic. Nothing left of
/// such a char can reorder or compose with anything right of it, so normalizing segment by segment gives the
/// same text as normalizing the whole string.
#[inline]
fn segment_starts_at(c: char, compat: bool, compose: bool, keep_generic: bool) -> bool {
    if c.is_ascii() {
        return true;
    }
    let mut first = None;
    let mut take = |d: char| {
        if first.is_none() {
            first = Some(d);
        }
    };
    if compat {
        decompose_compatible(c, &mut take);
    } else {
        decompose_canonical(c, &mut take);
    }
    let d = first.unwrap_or(c);
    canonical_combining_class(d) == 0
        && !(compose && is_nfc_quick(once(d)) == IsNormalized::Maybe)
        && !(keep_generic && is_generic_mark(d))
}

/// Call `f(start, end)` for each normalization segment of `input`.
fn for_each_segment(input: &str, starts: impl Fn(char) -> bool, mut f: impl FnMut(usize, usize)) {
    let mut start = 0;
    for (i, c) in input.char_indices() {
        if i > start && starts(c) {
            f(start, i);
            start = i;
        }
    }
    if start < input.len() {
        f(start, input.len());
    }
}

/// Apply a Unicode normalization form (ASCII and quick-check-`Yes` texts are left alone).
fn unicode_form(form: UnicodeForm, input: &str, out: &mut Out<'_>) -> bool {
    if input.is_ascii() {
        return false;
    }
    if form == UnicodeForm::None || quick_yes(form, input) {
        return false;
    }
    if !out.track {
        match form {
            UnicodeForm::Nfc => out.text.extend(input.nfc()),
            UnicodeForm::Nfkc => out.text.extend(input.nfkc()),
            UnicodeForm::Nfd => out.text.extend(input.nfd()),
            UnicodeForm::Nfkd => out.text.extend(input.nfkd()),
            UnicodeForm::None => {}
        }
        return true;
    }
    let compat = matches!(form, UnicodeForm::Nfkc | UnicodeForm::Nfkd);
    let compose = matches!(form, UnicodeForm::Nfc | UnicodeForm::Nfkc);
    for_each_segment(
        input,
        |c| segment_starts_at(c, compat, compose, false),
        |a, b| {
            let seg = &input[a..b];
            if seg.len() == 1 {
                out.copy(input, a, b);
                return;
            }
            let r = out.range(a, b);
            match form {
                UnicodeForm::Nfc => seg.nfc().for_each(|c| out.push_r(c, r)),
                UnicodeForm::Nfkc => seg.nfkc().for_each(|c| out.push_r(c, r)),
                UnicodeForm::Nfd => seg.nfd().for_each(|c| out.push_r(c, r)),
                UnicodeForm::Nfkd => seg.nfkd().for_each(|c| out.push_r(c, r)),
                UnicodeForm::None => {}
            }
        },
    );
    true
}

// ---------------------------------------------------------------------------------------------------------
// 4. Accents
// ---------------------------------------------------------------------------------------------------------

/// Generic combining diacritics removed by `accents="strip"`.
#[inline]
fn is_generic_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Nonspacing marks (Mn), removed by `accents="strip_all_marks"`.
#[inline]
fn is_nonspacing_mark(c: char) -> bool {
    !c.is_ascii() && get_general_category(c) == GeneralCategory::NonspacingMark
}

/// Remove accents: `Strip` = NFD, drop the generic diacritics, NFC again when `recompose`;
/// `StripAllMarks` = NFD and drop every Mn char, left decomposed (BERT's `strip_accents`).
fn strip_accents(mode: AccentMode, recompose: bool, input: &str, out: &mut Out<'_>) -> bool {
    if input.is_ascii() || mode == AccentMode::Keep {
        return false;
    }
    let all = mode == AccentMode::StripAllMarks;
    let recompose = recompose && !all;
    let removed = |c: char| {
        if all {
            is_nonspacing_mark(c)
        } else {
            is_generic_mark(c)
        }
    };
    let needed = !quick_yes(UnicodeForm::Nfd, input)
        || input.chars().any(removed)
        || (recompose && !quick_yes(UnicodeForm::Nfc, input));
    if !needed {
        return false;
    }
    let keep = |c: &char| !removed(*c);
    if !out.track {
        if recompose {
            out.text.extend(input.nfd().filter(keep).nfc());
        } else {
            out.text.extend(input.nfd().filter(keep));
        }
        return true;
    }
    for_each_segment(
        input,
        |c| segment_starts_at(c, false, recompose, recompose),
        |a, b| {
            let seg = &input[a..b];
            if seg.len() == 1 {
                out.copy(input, a, b);
                return;
            }
            let r = out.range(a, b);
            if recompose {
                seg.nfd().filter(keep).nfc().for_each(|c| out.push_r(c, r));
            } else {
                seg.nfd().filter(keep).for_each(|c| out.push_r(c, r));
            }
        },
    );
    true
}

// ---------------------------------------------------------------------------------------------------------
// 5. Case
// ---------------------------------------------------------------------------------------------------------

/// Full case folding of `c` (CaseFolding.txt statuses C + F), `None` when it folds to itself.
#[inline]
fn casefold(c: char) -> Option<&'static str> {
    tables::CASEFOLD
        .binary_search_by(|(k, _)| k.cmp(&c))
        .ok()
        .map(|i| tables::CASEFOLD[i].1)
}

/// Unicode `Cased` (Lowercase or Uppercase or Lt).
fn is_cased(c: char) -> bool {
    c.is_lowercase()
        || c.is_uppercase()
        || (!c.is_ascii() && get_general_category(c) == GeneralCategory::TitlecaseLetter)
}

/// Unicode `Case_Ignorable` (Word_Break MidLetter/MidNumLet/Single_Quote, or Mn, Me, Cf, Lm, Sk).
fn is_case_ignorable(c: char) -> bool {
    match c {
        '\'' | '.' | ':' | '\u{B7}' | '\u{387}' | '\u{55F}' | '\u{5F4}' | '\u{2018}'
        | '\u{2019}' | '\u{2024}' | '\u{2027}' | '\u{FE13}' | '\u{FE52}' | '\u{FE55}'
        | '\u{FF07}' | '\u{FF0E}' | '\u{FF1A}' => true,
        '^' | '`' => true,
        _ if c.is_ascii() => false,
        _ => matches!(
            get_general_category(c),
            GeneralCategory::NonspacingMark
                | GeneralCategory::EnclosingMark
                | GeneralCategory::Format
                | GeneralCategory::ModifierLetter
                | GeneralCategory::ModifierSymbol
        ),
    }
}

/// Whether the capital sigma at `input[i..i + 2]` is word-final (std's `to_lowercase` rule): preceded by a
/// cased letter and not followed by one, skipping case-ignorable chars on both sides.
fn is_final_sigma(input: &str, i: usize) -> bool {
    let cased_before = input[..i]
        .chars()
        .rev()
        .find(|&c| !is_case_ignorable(c))
        .is_some_and(is_cased);
    cased_before
        && !input
            .get(i + 2..)
            .unwrap_or("")
            .chars()
            .find(|&c| !is_case_ignorable(c))
            .is_some_and(is_cased)
}

/// Whether the case mapping changes the non-ASCII char `c`.
#[inline]
fn case_changes(mode: CaseMode, c: char) -> bool {
    match mode {
        CaseMode::Keep | CaseMode::LowerAscii => false,
        CaseMode::Lower | CaseMode::LowerChar if in_bmp_set(&bmp_sets().lower_same, c) => false,
        CaseMode::Fold if in_bmp_set(&bmp_sets().fold_same, c) => false,
        CaseMode::Lower | CaseMode::LowerChar => {
            let mut it = c.to_lowercase();
            it.next() != Some(c) || it.next().is_some()
        }
        CaseMode::Fold => casefold(c).is_some(),
    }
}

/// Apply the case mapping.
fn map_case(mode: CaseMode, input: &str, out: &mut Out<'_>) -> bool {
    let Some(first) = find_char(input, |b| b.is_ascii_uppercase(), |c| case_changes(mode, c))
    else {
        return false;
    };
    let bytes = input.as_bytes();
    // Pending verbatim run (ASCII and unchanged chars), lowercased as ASCII when flushed.
    let flush = |out: &mut Out<'_>, run: usize, i: usize| {
        let start = out.text.len();
        out.copy(input, run, i);
        out.text[start..].make_ascii_lowercase();
    };
    let mut run = 0;
    let mut i = first;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            i += 1;
            continue;
        }
        let Some(c) = input.get(i..).and_then(|t| t.chars().next()) else {
            break;
        };
        let j = i + c.len_utf8();
        if !case_changes(mode, c) {
            i = j;
            continue;
        }
        flush(out, run, i);
        match mode {
            CaseMode::Keep | CaseMode::LowerAscii => out.copy(input, i, j),
            CaseMode::Lower if c == 'Σ' => {
                out.emit(if is_final_sigma(input, i) { 'ς' } else { 'σ' }, i, j);
            }
            CaseMode::Lower | CaseMode::LowerChar => {
                let r = out.range(i, j);
                c.to_lowercase().for_each(|l| out.push_r(l, r));
            }
            CaseMode::Fold => match casefold(c) {
                Some(f) => out.emit_str(f, i, j),
                None => out.copy(input, i, j),
            },
        }
        run = j;
        i = j;
    }
    flush(out, run, bytes.len());
    true
}

// ---------------------------------------------------------------------------------------------------------
// 6. Removed characters
// ---------------------------------------------------------------------------------------------------------

/// A set of chars: a bitmap for ASCII, a sorted list for the rest.
#[derive(Debug, Clone)]
struct CharSet {
    ascii: u128,
    other: Vec<char>,
}

impl CharSet {
    /// The set of the chars of `s`.
    fn new(s: &str) -> CharSet {
        let mut ascii = 0u128;
        let mut other = Vec::new();
        for c in s.chars() {
            if c.is_ascii() {
                ascii |= 1u128 << (c as u32);
            } else {
                other.push(c);
            }
        }
        other.sort_unstable();
        other.dedup();
        CharSet { ascii, other }
    }

    #[inline]
    fn contains_ascii(&self, b: u8) -> bool {
        b < 0x80 && (self.ascii >> b) & 1 == 1
    }

    #[inline]
    fn contains(&self, c: char) -> bool {
        if c.is_ascii() {
            self.contains_ascii(c as u8)
        } else {
            !self.other.is_empty() && self.other.binary_search(&c).is_ok()
        }
    }

    /// Delete the chars of the set from `input`.
    fn remove_from(&self, input: &str, out: &mut Out<'_>) -> bool {
        let Some(first) = find_char(input, |b| self.contains_ascii(b), |c| self.contains(c)) else {
            return false;
        };
        drop_chars(input, out, first, |c| self.contains(c));
        true
    }
}

// ---------------------------------------------------------------------------------------------------------
// 7. CJK padding
// ---------------------------------------------------------------------------------------------------------

/// CJK ideographs as in BERT's `_is_chinese_char`.
#[inline]
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B820..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

/// Surround each CJK ideograph with spaces (always both, like BERT's `handle_chinese_chars`).
fn pad_cjk(input: &str, out: &mut Out<'_>) -> bool {
    let Some(first) = find_char(input, |_| false, is_cjk) else {
        return false;
    };
    out.copy(input, 0, first);
    let mut run = first;
    for (i, c) in input[first..].char_indices() {
        if is_cjk(c) {
            let i = first + i;
            let j = i + c.len_utf8();
            out.copy(input, run, i);
            out.insert(' ', i, false);
            out.copy(input, i, j);
            out.insert(' ', j, true);
            run = j;
        }
    }
    out.copy(input, run, input.len());
    true
}

// ---------------------------------------------------------------------------------------------------------
// 8. Placeholders
// ---------------------------------------------------------------------------------------------------------

/// Kinds of recognised entities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Url,
    Email,
    Mention,
    Hashtag,
    Emoji,
    Number,
}

impl Kind {
    /// The placeholder token.
    fn token(self) -> &'static str {
        match self {
            Kind::Url => "<url>",
            Kind::Email => "<email>",
            Kind::Mention => "<user>",
            Kind::Hashtag => "<hashtag>",
            Kind::Emoji => "<emoji>",
            Kind::Number => "<num>",
        }
    }
}

/// URL: `http://`, `https://` or `www.` and the following non-space chars (trailing punctuation is trimmed
/// after the match).
const RE_URL: &str = r"(?i:https?://|www\.)\S+";
/// E-mail: local@domain.tld (ASCII).
const RE_EMAIL: &str = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}";
/// @mention (not preceded by a word char: checked after the match).
const RE_MENTION: &str = r"@\w+";
/// #hashtag with at least one non-digit (not preceded by a word char: checked after the match).
const RE_HASHTAG: &str = r"#\w*[^\W\d]\w*";
/// Emoji sequence: flag pair, keycap, or an emoji-presentation pictograph (Emoji_Presentation, any
/// Extended_Pictographic followed by U+FE0F, or any Extended_Pictographic from U+1F000 on) with optional
/// variation selector, skin-tone modifier and tag sequence, joined by ZWJ to further pictographs.
/// Text-presentation symbols such as `©`, `™`, `↔`, `▪` without U+FE0F are not emoji.
const RE_EMOJI: &str = concat!(
    r"\p{Regional_Indicator}{2}",
    r"|[0-9#*]\x{FE0F}?\x{20E3}",
    r"|(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\x{FE0F}",
    r"|[\p{Extended_Pictographic}&&[\x{1F000}-\x{10FFFF}]])",
    r"[\x{FE0E}\x{FE0F}]?\p{Emoji_Modifier}?(?:[\x{E0020}-\x{E007E}]+\x{E007F})?",
    r"(?:\x{200D}\p{Extended_Pictographic}[\x{FE0E}\x{FE0F}]?\p{Emoji_Modifier}?)*",
);
/// Number: digits with `,`/`.` separated groups, optional sign. Not part of a word (`abc123`, `12kg` are
/// not numbers): checked after the match rather than with `\b`, because a Unicode `\b` makes the regex
/// crate leave its lazy DFA on non-ASCII text (about 5x slower here).
const RE_NUMBER: &str = r"[+\-]?\d+(?:[.,]\d+)*";

/// The compiled placeholder matcher.
#[derive(Debug, Clone)]
struct Placeholders {
    re: Regex,
    url: Placeholder,
    email: Placeholder,
    mention: Placeholder,
    hashtag: Placeholder,
    emoji: Placeholder,
    number: Placeholder,
}

/// A word char for adjacency decisions (alphanumeric or `_`).
#[inline]
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Placeholders {
    /// One leftmost-first alternation over the enabled kinds. URLs and e-mails are always matched (when any
    /// kind is enabled) so that, even when kept, their insides are not taken for numbers, mentions or hashtags.
    fn new(cfg: &NormalizeConfig) -> Result<Option<Placeholders>> {
        let on = |p: Placeholder| p != Placeholder::Keep;
        if !(on(cfg.url)
            || on(cfg.email)
            || on(cfg.mention)
            || on(cfg.hashtag)
            || on(cfg.emoji)
            || on(cfg.number))
        {
            return Ok(None);
        }
        let mut parts = vec![RE_URL, RE_EMAIL];
        if on(cfg.mention) {
            parts.push(RE_MENTION);
        }
        if on(cfg.hashtag) {
            parts.push(RE_HASHTAG);
        }
        if on(cfg.emoji) {
            parts.push(RE_EMOJI);
        }
        if on(cfg.number) {
            parts.push(RE_NUMBER);
        }
        let pattern = parts
            .iter()
            .map(|p| format!("(?:{p})"))
            .collect::<Vec<_>>()
            .join("|");
        let re = Regex::new(&pattern)
            .map_err(|e| Error::config("normalize", format!("placeholder pattern: {e}")))?;
        Ok(Some(Placeholders {
            re,
            url: cfg.url,
            email: cfg.email,
            mention: cfg.mention,
            hashtag: cfg.hashtag,
            emoji: cfg.emoji,
            number: cfg.number,
        }))
    }

    fn action(&self, k: Kind) -> Placeholder {
        match k {
            Kind::Url => self.url,
            Kind::Email => self.email,
            Kind::Mention => self.mention,
            Kind::Hashtag => self.hashtag,
            Kind::Emoji => self.emoji,
            Kind::Number => self.number,
        }
    }

    /// Which alternative produced the match `m` (the alternatives start with disjoint chars).
    fn classify(m: &str) -> Kind {
        let b = m.as_bytes();
        let lower_starts = |p: &[u8]| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p);
        if lower_starts(b"http://") || lower_starts(b"https://") || lower_starts(b"www.") {
            return Kind::Url;
        }
        if let Some(k) = m.find('@') {
            return if k == 0 { Kind::Mention } else { Kind::Email };
        }
        if m.contains('\u{20E3}') {
            return Kind::Emoji;
        }
        match m.chars().next() {
            Some('#') => Kind::Hashtag,
            Some('+' | '-') => Kind::Number,
            Some(c) if get_general_category(c) == GeneralCategory::DecimalNumber => Kind::Number,
            _ => Kind::Emoji,
        }
    }

    /// Replace or drop the recognised entities of `input`; record replaced placeholders in `protected`.
    fn apply(&self, input: &str, out: &mut Out<'_>, protected: &mut Vec<(u32, u32)>) -> bool {
        let mut pos = 0;
        let mut run = 0;
        let mut changed = false;
        while pos <= input.len() {
            let Some(m) = self.re.find_at(input, pos) else {
                break;
            };
            let (mut s, mut e) = (m.start(), m.end());
            let kind = Self::classify(m.as_str());
            let before = input[..s].chars().next_back();
            let ok = match kind {
                Kind::Url => {
                    let prefix = if m.as_str().as_bytes()[0].eq_ignore_ascii_case(&b'w') {
                        4
                    } else {
                        m.as_str().find("//").map_or(0, |p| p + 2)
                    };
                    let text = m.as_str();
                    let opens = text.matches('(').count();
                    let mut closes = text.matches(')').count();
                    while let Some(c) = input[s..e].chars().next_back() {
                        let trim = match c {
                            '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'' => true,
                            ')' => closes > opens,
                            _ => false,
                        };
                        if !trim {
                            break;
                        }
                        if c == ')' {
                            closes -= 1;
                        }
                        e -= 1;
                    }
                    e - s > prefix && !before.is_some_and(char::is_alphanumeric)
                }
                Kind::Email => {
                    while input.as_bytes().get(s) == Some(&b'.') {
                        s += 1;
                    }
                    input.as_bytes().get(s) != Some(&b'@')
                }
                Kind::Mention | Kind::Hashtag => !before.is_some_and(is_word),
                Kind::Number => {
                    let mut prev = before;
                    if matches!(input.as_bytes()[s], b'+' | b'-') {
                        if before.is_some_and(is_word) {
                            prev = input[..s + 1].chars().next_back();
                            s += 1;
                        } else {
                            prev = None;
                        }
                    }
                    if prev.is_some_and(is_word) || input[e..].chars().next().is_some_and(is_word) {
                        // Glued to a word: so is every later start inside these digits.
                        pos = e;
                        continue;
                    }
                    true
                }
                Kind::Emoji => true,
            };
            if !ok || s >= e {
                pos = s + input[s..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            pos = e;
            let act = self.action(kind);
            if act == Placeholder::Keep {
                continue;
            }
            changed = true;
            out.copy(input, run, s);
            run = e;
            let prev_word = out.text.chars().next_back().is_some_and(is_word);
            let next_word = input[e..].chars().next().is_some_and(is_word);
            match act {
                Placeholder::Replace => {
                    if prev_word {
                        out.insert(' ', s, false);
                    }
                    let start = out.text.len() as u32;
                    out.emit_str(kind.token(), s, e);
                    protected.push((start, out.text.len() as u32));
                    if next_word {
                        out.insert(' ', e, true);
                    }
                }
                Placeholder::Drop => {
                    if prev_word && next_word {
                        out.emit(' ', s, e);
                    }
                }
                Placeholder::Keep => {}
            }
        }
        if !changed {
            return false;
        }
        out.copy(input, run, input.len());
        true
    }
}

// ---------------------------------------------------------------------------------------------------------
// 9. Whitespace
// ---------------------------------------------------------------------------------------------------------

/// Whitespace chars (`char::is_whitespace`, which includes `\t \n \r`, NBSP, U+3000, U+2028).
#[inline]
fn is_ws(c: char) -> bool {
    c.is_whitespace()
}

/// Whether `mode` would change `input`.
fn whitespace_needed(mode: Whitespace, input: &str) -> bool {
    let odd_space = find_char(
        input,
        |b| (b != b' ' && b.is_ascii_whitespace()) || b == 0x0B,
        is_ws,
    )
    .is_some();
    match mode {
        Whitespace::Keep => false,
        Whitespace::Normalize => odd_space,
        Whitespace::Collapse => {
            odd_space || input.starts_with(' ') || input.ends_with(' ') || input.contains("  ")
        }
    }
}

/// Normalize or collapse whitespace, shifting the protected ranges (which contain no whitespace).
fn whitespace(
    mode: Whitespace,
    input: &str,
    out: &mut Out<'_>,
    protected: &mut [(u32, u32)],
) -> bool {
    if !whitespace_needed(mode, input) {
        return false;
    }
    let mut k = 0;
    // Copy input[run..i] and shift the protected ranges that end by `i`.
    let mut flush = |out: &mut Out<'_>, run: usize, i: usize| {
        out.copy(input, run, i);
        let delta = i.saturating_sub(out.text.len()) as u32;
        while let Some(p) = protected.get_mut(k) {
            if p.1 as usize > i {
                break;
            }
            *p = (p.0.saturating_sub(delta), p.1.saturating_sub(delta));
            k += 1;
        }
    };
    let mut run = 0;
    let mut chars = input.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_ws(c) {
            continue;
        }
        let j = i + c.len_utf8();
        match mode {
            Whitespace::Normalize => {
                if c != ' ' {
                    flush(out, run, i);
                    out.emit(' ', i, j);
                    run = j;
                }
            }
            _ => {
                let mut end = j;
                while let Some(&(q, d)) = chars.peek() {
                    if !is_ws(d) {
                        break;
                    }
                    end = q + d.len_utf8();
                    chars.next();
                }
                if c == ' ' && end == j && i > 0 && end < input.len() {
                    continue;
                }
                flush(out, run, i);
                if !out.text.is_empty() && end < input.len() {
                    out.emit(' ', i, end);
                }
                run = end;
            }
        }
    }
    flush(out, run, input.len());
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    // -------------------------------------------------------------------------------------------------
    // helpers
    // -------------------------------------------------------------------------------------------------

    fn cfg_none() -> NormalizeConfig {
        NormalizeConfig {
            strip_control: false,
            unicode: UnicodeForm::None,
            case: CaseMode::Keep,
            ..NormalizeConfig::default()
        }
    }

    fn norm(cfg: &NormalizeConfig, text: &str) -> String {
        Normalizer::new(cfg).unwrap().normalize(text)
    }

    /// Normalize with tracking, check the invariants, and return the result.
    fn tracked(n: &Normalizer, text: &str) -> Normalized {
        let mut out = Normalized::new();
        n.normalize_into(text, &mut out, true);
        check_invariants(text, &out);
        let mut plain = Normalized::new();
        n.normalize_into(text, &mut plain, false);
        assert_eq!(plain.text, out.text, "track=false differs for {text:?}");
        assert!(plain.align.is_empty());
        assert_eq!(
            plain.protected, out.protected,
            "protected differs for {text:?}"
        );
        out
    }

    fn check_invariants(text: &str, out: &Normalized) {
        assert_eq!(out.align.len(), out.text.len(), "align length for {text:?}");
        let mut prev = (0u32, 0u32);
        for (i, &(s, e)) in out.align.iter().enumerate() {
            assert!(s <= e, "range {s}..{e} reversed for {text:?}");
            assert!((e as usize) <= text.len(), "range {s}..{e} out of {text:?}");
            assert!(
                text.is_char_boundary(s as usize) && text.is_char_boundary(e as usize),
                "range {s}..{e} not on char boundaries of {text:?}"
            );
            assert!(
                s >= prev.0 && e >= prev.1,
                "ranges decrease at byte {i}: {prev:?} then {:?} for {text:?} -> {:?}",
                (s, e),
                out.text
            );
            prev = (s, e);
        }
        // All bytes of one output char share one range.
        for (i, c) in out.text.char_indices() {
            let r = out.align[i];
            assert!(out.align[i..i + c.len_utf8()].iter().all(|&x| x == r));
        }
        let mut last = 0;
        for &(s, e) in &out.protected {
            assert!(s >= last && s < e && (e as usize) <= out.text.len());
            assert!(out.text.is_char_boundary(s as usize) && out.text.is_char_boundary(e as usize));
            let tok = &out.text[s as usize..e as usize];
            assert!(
                tok.starts_with('<') && tok.ends_with('>'),
                "protected {tok:?}"
            );
            last = e;
        }
    }

    /// Original slice behind the output substring `needle` (its first occurrence).
    fn source_of<'a>(text: &'a str, out: &Normalized, needle: &str) -> &'a str {
        let i = out.text.find(needle).expect("needle in output");
        let (s, _) = out.align[i];
        let (_, e) = out.align[i + needle.len() - 1];
        &text[s as usize..e as usize]
    }

    /// Deterministic xorshift generator.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const PIECES: &[&str] = &[
        "a",
        "Z",
        "word",
        "Hello",
        "x1",
        "123",
        "3.14",
        "1,000",
        "-5",
        "+7",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\u{A0}",
        "\u{3000}",
        "\u{2028}",
        ".",
        ",",
        "!",
        "?",
        "'",
        "\"",
        "(",
        ")",
        "<",
        ">",
        "&",
        ";",
        "#",
        "@",
        "_",
        "-",
        "/",
        ":",
        "<p>",
        "</div>",
        "<br/>",
        "<b>",
        "<!-- c -->",
        "<script>x<y</script>",
        "<style>p{}</style>",
        "&amp;",
        "&lt;",
        "&eacute;",
        "&#233;",
        "&#xE9;",
        "&#0;",
        "&#150;",
        "&bogus;",
        "&#x110000;",
        "e\u{301}",
        "\u{301}",
        "\u{323}",
        "\u{34F}",
        "é",
        "ñ",
        "Å",
        "\u{212B}",
        "ﬁ",
        "ﬀ",
        "㈠",
        "Ⅻ",
        "①",
        "²",
        "ｆｕｌｌ",
        "가",
        "\u{1100}",
        "\u{1161}",
        "\u{11A8}",
        "각",
        "か",
        "\u{3099}",
        "が",
        "\u{F73}",
        "\u{F72}",
        "\u{F71}",
        "\u{1D165}",
        "\u{1D16E}",
        "हिन्दी",
        "ภาษาไทย",
        "ق\u{64E}",
        "ΣΑΣ",
        "Σ",
        "σ",
        "ς",
        "ΌΣΟΣ",
        "İ",
        "ı",
        "I",
        "ß",
        "ẞ",
        "ǅ",
        "ᾈ",
        "Straße",
        "ΐ",
        "中",
        "文",
        "\u{20000}",
        "日本語",
        "😀",
        "👍🏽",
        "👨\u{200D}👩\u{200D}👧",
        "🇫🇷",
        "🇺",
        "#\u{FE0F}\u{20E3}",
        "1\u{FE0F}\u{20E3}",
        "❤\u{FE0F}",
        "©",
        "™",
        "\u{200D}",
        "\u{200B}",
        "\u{200E}",
        "\u{202E}",
        "\u{AD}",
        "\u{FEFF}",
        "\u{0}",
        "\u{7}",
        "\u{7F}",
        "\u{85}",
        "\u{FFFD}",
        "\u{E000}",
        "\u{10FFFD}",
        "\u{378}",
        "\u{E0067}",
        "\u{E007F}",
        "http://ex.com/a?b=1.",
        "https://x.org/(y))",
        "www.site.io,",
        "me@mail.com",
        "a.b+c@d.co.uk",
        "@user",
        "#tag",
        "#123",
        "a@b",
        "C#",
        "abc123",
        "12.5kg",
        "\u{301}\u{301}\u{301}",
        "\u{1F3FD}",
        "ǈ",
        "\u{345}",
        "\u{2126}",
        "\u{1E9E}",
        "\u{130}\u{301}",
        "A\u{30A}",
        "W\u{30A}",
        "\u{390}",
        "\u{345}\u{301}",
    ];

    fn random_text(rng: &mut Rng) -> String {
        let n = rng.below(14);
        let mut s = String::new();
        for _ in 0..n {
            if rng.below(8) == 0 {
                // Any code point, weighted towards the BMP.
                let max = [0x80, 0x800, 0x1_0000, 0x11_0000][rng.below(4)];
                if let Some(c) = char::from_u32(rng.below(max) as u32) {
                    s.push(c);
                }
            } else {
                s.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        s
    }

    fn random_config(rng: &mut Rng) -> NormalizeConfig {
        let ph =
            |r: &mut Rng| [Placeholder::Keep, Placeholder::Replace, Placeholder::Drop][r.below(3)];
        NormalizeConfig {
            strip_html: rng.below(2) == 0,
            strip_control: rng.below(2) == 0,
            unicode: [
                UnicodeForm::None,
                UnicodeForm::Nfc,
                UnicodeForm::Nfkc,
                UnicodeForm::Nfd,
                UnicodeForm::Nfkd,
            ][rng.below(5)],
            accents: [
                AccentMode::Keep,
                AccentMode::Strip,
                AccentMode::StripAllMarks,
            ][rng.below(3)],
            case: [
                CaseMode::Keep,
                CaseMode::Lower,
                CaseMode::Fold,
                CaseMode::LowerAscii,
                CaseMode::LowerChar,
            ][rng.below(5)],
            remove_chars: ["", "", "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'", "aé中"][rng.below(4)]
                .into(),
            pad_cjk: rng.below(2) == 0,
            url: ph(rng),
            email: ph(rng),
            mention: ph(rng),
            hashtag: ph(rng),
            number: ph(rng),
            emoji: ph(rng),
            whitespace: [
                Whitespace::Keep,
                Whitespace::Normalize,
                Whitespace::Collapse,
            ][rng.below(3)],
            ..NormalizeConfig::default()
        }
    }

    // -------------------------------------------------------------------------------------------------
    // properties
    // -------------------------------------------------------------------------------------------------

    #[test]
    fn property_alignment_invariants_random_configs() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut out = Normalized::new();
        for _ in 0..300 {
            let cfg = random_config(&mut rng);
            let n = Normalizer::new(&cfg).unwrap();
            for _ in 0..40 {
                let text = random_text(&mut rng);
                // Reuse one `Normalized` across configs and texts (scratch must not leak state).
                n.normalize_into(&text, &mut out, true);
                check_invariants(&text, &out);
                let fresh = tracked(&n, &text);
                assert_eq!(fresh.text, out.text);
                assert_eq!(fresh.align, out.align);
            }
        }
    }

    #[test]
    fn property_every_single_stage() {
        // Each stage alone, after a non-trivial stage (so alignment is composed), on random texts.
        let mut rng = Rng(42);
        let base = NormalizeConfig {
            unicode: UnicodeForm::Nfkd,
            ..cfg_none()
        };
        let mut cfgs = vec![cfg_none(), base.clone()];
        for html in [false, true] {
            cfgs.push(NormalizeConfig {
                strip_html: html,
                strip_control: true,
                ..base.clone()
            });
        }
        for case in [
            CaseMode::Lower,
            CaseMode::Fold,
            CaseMode::LowerChar,
            CaseMode::LowerAscii,
        ] {
            cfgs.push(NormalizeConfig {
                case,
                ..base.clone()
            });
        }
        for ws in [Whitespace::Normalize, Whitespace::Collapse] {
            cfgs.push(NormalizeConfig {
                whitespace: ws,
                pad_cjk: true,
                url: Placeholder::Replace,
                number: Placeholder::Replace,
                emoji: Placeholder::Drop,
                ..base.clone()
            });
        }
        for cfg in &cfgs {
            let n = Normalizer::new(cfg).unwrap();
            for _ in 0..2000 {
                tracked(&n, &random_text(&mut rng));
            }
        }
    }

    #[test]
    fn idempotent_forms_and_lower_nfkc() {
        let mut rng = Rng(7);
        let mut cfgs: Vec<NormalizeConfig> = [
            UnicodeForm::Nfc,
            UnicodeForm::Nfkc,
            UnicodeForm::Nfd,
            UnicodeForm::Nfkd,
        ]
        .into_iter()
        .map(|unicode| NormalizeConfig {
            unicode,
            ..cfg_none()
        })
        .collect();
        for case in [CaseMode::Lower, CaseMode::Fold, CaseMode::LowerChar] {
            for unicode in [
                UnicodeForm::Nfc,
                UnicodeForm::Nfkc,
                UnicodeForm::Nfd,
                UnicodeForm::Nfkd,
            ] {
                cfgs.push(NormalizeConfig {
                    unicode,
                    case,
                    ..cfg_none()
                });
            }
        }
        // The whole default pipeline, too.
        cfgs.push(NormalizeConfig::default());
        for cfg in &cfgs {
            let n = Normalizer::new(cfg).unwrap();
            for _ in 0..3000 {
                let t = random_text(&mut rng);
                let once = n.normalize(&t);
                assert_eq!(
                    n.normalize(&once),
                    once,
                    "{:?}/{:?} not idempotent on {t:?}",
                    cfg.unicode,
                    cfg.case
                );
            }
        }
    }

    #[test]
    fn empty_and_tiny_inputs_for_all_random_configs() {
        let mut rng = Rng(3);
        for _ in 0..200 {
            let n = Normalizer::new(&random_config(&mut rng)).unwrap();
            for t in [
                "", " ", "<", "&", "&#", "@", "#", "\u{301}", "\u{0}", "Σ", "中", "www.", "http://",
            ] {
                tracked(&n, t);
            }
        }
    }

    // -------------------------------------------------------------------------------------------------
    // default config and examples
    // -------------------------------------------------------------------------------------------------

    #[test]
    fn default_config() {
        let n = Normalizer::new(&NormalizeConfig::default()).unwrap();
        let text = "Ｈello ﬁne\u{200B} WORLD Ⅻ ΟΔΟΣ Café";
        let out = tracked(&n, text);
        assert_eq!(out.text, "hello fine world xii οδος café");
        assert_eq!(source_of(text, &out, "h"), "Ｈ");
        assert_eq!(source_of(text, &out, "xii"), "Ⅻ");
        assert_eq!(source_of(text, &out, "fine"), "ﬁne");
        assert!(out.protected.is_empty());
        // ASCII lowercase text passes every stage untouched.
        assert_eq!(n.normalize("plain ascii text."), "plain ascii text.");
    }

    #[test]
    fn ligature_under_nfkc_aligned_to_its_source() {
        let cfg = NormalizeConfig {
            unicode: UnicodeForm::Nfkc,
            ..cfg_none()
        };
        let n = Normalizer::new(&cfg).unwrap();
        let text = "aﬁb";
        let out = tracked(&n, text);
        assert_eq!(out.text, "afib");
        assert_eq!(out.align, vec![(0, 1), (1, 4), (1, 4), (4, 5)]);
    }

    #[test]
    fn unicode_forms_examples() {
        let f = |unicode, t: &str| {
            norm(
                &NormalizeConfig {
                    unicode,
                    ..cfg_none()
                },
                t,
            )
        };
        assert_eq!(f(UnicodeForm::Nfc, "e\u{301}"), "é");
        assert_eq!(f(UnicodeForm::Nfd, "é"), "e\u{301}");
        assert_eq!(f(UnicodeForm::Nfkd, "ﬁé"), "fie\u{301}");
        assert_eq!(f(UnicodeForm::Nfkc, "①²ｆ"), "12f");
        assert_eq!(f(UnicodeForm::Nfc, "ﬁ"), "ﬁ");
        assert_eq!(f(UnicodeForm::None, "e\u{301}"), "e\u{301}");
        // Hangul L+V+T composes across what would be three chars.
        assert_eq!(f(UnicodeForm::Nfc, "\u{1100}\u{1161}\u{11A8}"), "각");
        // Canonical reordering of marks.
        assert_eq!(f(UnicodeForm::Nfd, "a\u{301}\u{323}"), "a\u{323}\u{301}");
        // A starter whose decomposition begins with non-starters is not a segment boundary.
        let n = Normalizer::new(&NormalizeConfig {
            unicode: UnicodeForm::Nfd,
            ..cfg_none()
        })
        .unwrap();
        let out = tracked(&n, "a\u{F72}\u{F73}");
        assert_eq!(out.text, "a\u{F71}\u{F72}\u{F72}");
    }

    #[test]
    fn quick_check_matches_library() {
        let mut rng = Rng(5);
        for _ in 0..5000 {
            let t = random_text(&mut rng);
            assert_eq!(
                quick_yes(UnicodeForm::Nfc, &t),
                is_nfc_quick(t.chars()) == IsNormalized::Yes
            );
            assert_eq!(
                quick_yes(UnicodeForm::Nfkc, &t),
                is_nfkc_quick(t.chars()) == IsNormalized::Yes
            );
            assert_eq!(
                quick_yes(UnicodeForm::Nfd, &t),
                is_nfd_quick(t.chars()) == IsNormalized::Yes
            );
            assert_eq!(
                quick_yes(UnicodeForm::Nfkd, &t),
                is_nfkd_quick(t.chars()) == IsNormalized::Yes
            );
        }
    }

    #[test]
    fn segments_concatenate_to_whole_string_result() {
        let mut rng = Rng(11);
        for _ in 0..3000 {
            let t = random_text(&mut rng);
            for (compat, compose) in [(false, true), (true, true), (false, false), (true, false)] {
                let whole: String = match (compat, compose) {
                    (false, true) => t.nfc().collect(),
                    (true, true) => t.nfkc().collect(),
                    (false, false) => t.nfd().collect(),
                    (true, false) => t.nfkd().collect(),
                };
                let mut seg = String::new();
                for_each_segment(
                    &t,
                    |c| segment_starts_at(c, compat, compose, false),
                    |a, b| {
                        let s = &t[a..b];
                        match (compat, compose) {
                            (false, true) => seg.extend(s.nfc()),
                            (true, true) => seg.extend(s.nfkc()),
                            (false, false) => seg.extend(s.nfd()),
                            (true, false) => seg.extend(s.nfkd()),
                        }
                    },
                );
                assert_eq!(seg, whole, "{t:?} compat={compat} compose={compose}");
            }
        }
    }

    #[test]
    fn normalization_test_fixture() {
        let rel = "fixtures/unicode15_NormalizationTest_sample.txt";
        let Some(data) = crate::shared_data(rel).and_then(|p| std::fs::read_to_string(p).ok())
        else {
            println!("SKIPPED normalization_test_fixture: ../shared/data/{rel} is not present");
            return;
        };
        let forms = [
            UnicodeForm::Nfc,
            UnicodeForm::Nfd,
            UnicodeForm::Nfkc,
            UnicodeForm::Nfkd,
        ];
        let norms: Vec<Normalizer> = forms
            .iter()
            .map(|&unicode| {
                Normalizer::new(&NormalizeConfig {
                    unicode,
                    ..cfg_none()
                })
                .unwrap()
            })
            .collect();
        let mut lines = 0;
        let mut failures = Vec::new();
        for line in data.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('@') {
                continue;
            }
            let cols: Vec<String> = line
                .split(';')
                .take(5)
                .map(|col| {
                    col.split_whitespace()
                        .map(|h| char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap())
                        .collect()
                })
                .collect();
            assert_eq!(cols.len(), 5, "{line}");
            lines += 1;
            // source; NFC; NFD; NFKC; NFKD
            let expect = |form: usize, src: usize| -> &str {
                match (form, src) {
                    (0, 3 | 4) => &cols[3],
                    (0, _) => &cols[1],
                    (1, 3 | 4) => &cols[4],
                    (1, _) => &cols[2],
                    (2, _) => &cols[3],
                    _ => &cols[4],
                }
            };
            for (fi, n) in norms.iter().enumerate() {
                for (ci, col) in cols.iter().enumerate() {
                    let out = tracked(n, col);
                    if out.text != expect(fi, ci) {
                        failures.push(format!(
                            "{line}: {:?}(c{}) = {:?}",
                            forms[fi],
                            ci + 1,
                            out.text
                        ));
                    }
                }
            }
        }
        assert!(lines >= 1000, "only {lines} test lines");
        // unicode-normalization may be on a newer Unicode than the 15.0 fixture; report, do not hide.
        for f in &failures {
            println!("NormalizationTest mismatch (Unicode version?): {f}");
        }
        assert!(
            failures.is_empty(),
            "{} NormalizationTest mismatches",
            failures.len()
        );
    }

    #[test]
    fn combining_mark_flood_is_fast_and_safe() {
        let mut text = String::from("Ae");
        for i in 0..10_000 {
            text.push(['\u{301}', '\u{323}', '\u{308}', '\u{34F}'][i % 4]);
        }
        text.push_str(" end");
        let t0 = std::time::Instant::now();
        for cfg in [
            NormalizeConfig::default(),
            NormalizeConfig {
                unicode: UnicodeForm::Nfd,
                accents: AccentMode::Strip,
                whitespace: Whitespace::Collapse,
                ..NormalizeConfig::default()
            },
            NormalizeConfig {
                accents: AccentMode::Strip,
                ..NormalizeConfig::default()
            },
            NormalizeConfig {
                accents: AccentMode::StripAllMarks,
                ..NormalizeConfig::default()
            },
        ] {
            let n = Normalizer::new(&cfg).unwrap();
            let out = tracked(&n, &text);
            if cfg.accents != AccentMode::Keep {
                assert_eq!(out.text, "ae end");
            }
        }
        println!("combining flood: {:?}", t0.elapsed());
    }

    // -------------------------------------------------------------------------------------------------
    // HTML
    // -------------------------------------------------------------------------------------------------

    fn html() -> Normalizer {
        Normalizer::new(&NormalizeConfig {
            strip_html: true,
            ..cfg_none()
        })
        .unwrap()
    }

    #[test]
    fn html_tags_comments_scripts() {
        let n = html();
        assert_eq!(n.normalize("<p>Hello</p><p>World</p>"), "Hello World ");
        assert_eq!(n.normalize("a<br>b<br/>c"), "a b c");
        assert_eq!(n.normalize("<b>bold</b>er <i>it</i>"), "bolder it");
        assert_eq!(n.normalize("x<!-- hidden <p> -->y"), "xy");
        assert_eq!(
            n.normalize("a<script type='t'>if (a<b) {}</script>b"),
            "a b"
        );
        assert_eq!(n.normalize("a<STYLE>p { x }</Style >b"), "a b");
        assert_eq!(n.normalize("a<script>never closed"), "a ");
        assert_eq!(n.normalize("<!DOCTYPE html><html>x</html>"), "x ");
        assert_eq!(n.normalize("a < b and c > d"), "a < b and c > d");
        assert_eq!(n.normalize("1<2"), "1<2");
        assert_eq!(n.normalize("x <a href=\"u\">link</a> y"), "x link y");
        assert_eq!(n.normalize("<unclosed tag"), "<unclosed tag");
        assert_eq!(n.normalize("<!-- open comment"), "");
        assert_eq!(n.normalize("no markup"), "no markup");
    }

    #[test]
    fn html_entities() {
        let n = html();
        assert_eq!(
            n.normalize("caf&eacute; &amp; cr&egrave;me"),
            "café & crème"
        );
        assert_eq!(
            n.normalize("&lt;p&gt; &quot;q&quot; &apos;a&apos;"),
            "<p> \"q\" 'a'"
        );
        assert_eq!(n.normalize("&#233;&#xE9;&#XE9;&#233"), "éééé");
        assert_eq!(n.normalize("a&nbsp;b"), "a\u{A0}b");
        assert_eq!(
            n.normalize("&mdash;&hellip;&rsquo;&copy;&euro;&trade;"),
            "—…’©€™"
        );
        assert_eq!(
            n.normalize("&#150;&#0;&#x110000;&#xD800;"),
            "–\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(
            n.normalize("&bogus; & &amp &#; &#x;"),
            "&bogus; & &amp &#; &#x;"
        );
        assert_eq!(n.normalize("&amp;lt;"), "&lt;");
        assert_eq!(n.normalize("&EACUTE; &Eacute;"), "&EACUTE; É");
    }

    #[test]
    fn html_aligned_to_source() {
        let n = html();
        let text = "<p>caf&eacute; &amp; more</p>";
        let out = tracked(&n, text);
        assert_eq!(out.text, "café & more ");
        assert_eq!(source_of(text, &out, "é"), "&eacute;");
        assert_eq!(source_of(text, &out, "&"), "&amp;");
        assert_eq!(source_of(text, &out, "more"), "more");
        assert_eq!(source_of(text, &out, "café"), "caf&eacute;");
        let last = *out.align.last().unwrap();
        assert_eq!(&text[last.0 as usize..last.1 as usize], "</p>");
    }

    #[test]
    fn html_pathological_inputs_are_linear() {
        let n = html();
        let big = "<a ".repeat(20_000) + &"<!x".repeat(20_000) + &"&#1".repeat(20_000);
        let out = n.normalize(&big);
        assert!(out.len() <= big.len());
        let big = "<script>".repeat(10_000);
        assert_eq!(n.normalize(&big), "");
    }

    // -------------------------------------------------------------------------------------------------
    // control characters
    // -------------------------------------------------------------------------------------------------

    #[test]
    fn strip_control_examples() {
        let cfg = NormalizeConfig {
            strip_control: true,
            ..cfg_none()
        };
        let n = Normalizer::new(&cfg).unwrap();
        let text = "a\u{0}b\u{7}c\td\ne\rf\u{7F}g\u{85}h\u{200B}i\u{200D}j\u{200E}k\u{202E}l\u{AD}m\u{FEFF}n\u{E000}o\u{378}p\u{FFFD}q";
        let out = tracked(&n, text);
        // U+0378 is unassigned: kept, as HF tokenizers' BertNormalizer keeps unassigned code points
        assert_eq!(out.text, "abc\td\ne\rfghijklmno\u{378}pq");
        assert_eq!(source_of(text, &out, "q"), "q");
        assert_eq!(n.normalize("clean text"), "clean text");
        assert_eq!(n.normalize("é中😀"), "é中😀");
    }

    // -------------------------------------------------------------------------------------------------
    // accents
    // -------------------------------------------------------------------------------------------------

    #[test]
    fn accents_strip_keeps_script_marks() {
        let cfg = |accents, unicode| NormalizeConfig {
            accents,
            unicode,
            ..cfg_none()
        };
        let strip = Normalizer::new(&cfg(AccentMode::Strip, UnicodeForm::Nfc)).unwrap();
        assert_eq!(strip.normalize("é ñ Å ǖ e\u{301}"), "e n A u e");
        assert_eq!(strip.normalize("हिन्दी ภาษาไทย"), "हिन्दी ภาษาไทย");
        assert_eq!(strip.normalize("が"), "が");
        let out = tracked(&strip, "naïve");
        assert_eq!(out.text, "naive");
        assert_eq!(source_of("naïve", &out, "i"), "ï");
        // Under NFD the result stays decomposed (but without the generic marks).
        let nfd = Normalizer::new(&cfg(AccentMode::Strip, UnicodeForm::Nfd)).unwrap();
        assert_eq!(nfd.normalize("éが"), "eか\u{3099}");
        let all = Normalizer::new(&cfg(AccentMode::StripAllMarks, UnicodeForm::None)).unwrap();
        assert_eq!(all.normalize("é ñ"), "e n");
        // BERT removes every Mn: Devanagari virama goes, the spacing vowel signs (Mc) stay; no recomposition.
        assert_eq!(all.normalize("हिन्दी"), "हिनदी");
        assert_eq!(all.normalize("が"), "か");
        assert_eq!(
            all.normalize("ภาษาไทย"),
            "ภาษาไทย"
                .chars()
                .filter(|&c| !is_nonspacing_mark(c))
                .collect::<String>()
        );
    }

    // -------------------------------------------------------------------------------------------------
    // case
    // -------------------------------------------------------------------------------------------------

    fn case(mode: CaseMode) -> Normalizer {
        Normalizer::new(&NormalizeConfig {
            case: mode,
            ..cfg_none()
        })
        .unwrap()
    }

    #[test]
    fn case_modes() {
        assert_eq!(
            case(CaseMode::Lower).normalize("ΟΔΟΣ ΣΑΣ. Σ"),
            "οδος σας. σ"
        );
        assert_eq!(case(CaseMode::LowerChar).normalize("ΟΔΟΣ"), "οδοσ");
        assert_eq!(case(CaseMode::LowerAscii).normalize("ÀBC Σ"), "Àbc Σ");
        assert_eq!(
            case(CaseMode::Fold).normalize("Straße ΟΔΟΣ ﬁ ẞ"),
            "strasse οδοσ fi ss"
        );
        assert_eq!(case(CaseMode::Lower).normalize("Straße"), "straße");
        assert_eq!(case(CaseMode::Keep).normalize("AbC"), "AbC");
    }

    #[test]
    fn case_mapping_is_renormalized() {
        let n = Normalizer::new(&NormalizeConfig::default()).unwrap();
        // i + U+0307 (ccc 230) must go after U+0F71 (ccc 129); w + ring above composes.
        assert_eq!(n.normalize("İ\u{F71}"), "i\u{F71}\u{307}");
        assert_eq!(n.normalize("W\u{30A}"), "\u{1E98}");
        let out = tracked(&n, "xW\u{30A}y");
        assert_eq!(out.text, "x\u{1E98}y");
        assert_eq!(source_of("xW\u{30A}y", &out, "\u{1E98}"), "W\u{30A}");
    }

    #[test]
    fn fold_strasse_aligned() {
        let n = case(CaseMode::Fold);
        let text = "Straße!";
        let out = tracked(&n, text);
        assert_eq!(out.text, "strasse!");
        assert_eq!(source_of(text, &out, "ss"), "ß");
        assert_eq!(out.align[4], (4, 6));
        assert_eq!(out.align[5], (4, 6));
        assert_eq!(out.align[6], (6, 7));
    }

    #[test]
    fn turkish_dotted_i_no_locale() {
        for mode in [CaseMode::Lower, CaseMode::LowerChar, CaseMode::Fold] {
            let n = case(mode);
            let out = tracked(&n, "İı");
            assert_eq!(out.text, "i\u{307}ı", "{mode:?}");
            assert_eq!(out.align[..3], [(0, 2), (0, 2), (0, 2)]);
        }
        assert_eq!(case(CaseMode::Lower).normalize("I"), "i");
    }

    #[test]
    fn lower_matches_std_to_lowercase() {
        let n = case(CaseMode::Lower);
        let lc = case(CaseMode::LowerChar);
        let mut rng = Rng(99);
        for _ in 0..5000 {
            let t = random_text(&mut rng);
            assert_eq!(n.normalize(&t), t.to_lowercase(), "{t:?}");
            let per_char: String = t.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(lc.normalize(&t), per_char, "{t:?}");
        }
    }

    #[test]
    fn final_sigma_context_matches_std_for_every_char() {
        // Checks the Cased / Case_Ignorable predicates against std's own tables, char by char.
        let n = case(CaseMode::Lower);
        let mut mismatches = Vec::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c.is_ascii()
                || matches!(
                    get_general_category(c),
                    GeneralCategory::Unassigned | GeneralCategory::PrivateUse
                )
            {
                continue;
            }
            for t in [
                format!("AΣ{c}"),
                format!("{c}Σ"),
                format!("A{c}Σ"),
                format!("AΣ{c}B"),
            ] {
                let got = n.normalize(&t);
                if got != t.to_lowercase() {
                    mismatches.push(format!("U+{:04X} in {t:?}", c as u32));
                }
            }
        }
        assert!(
            mismatches.is_empty(),
            "{:?}",
            &mismatches[..mismatches.len().min(20)]
        );
    }

    #[test]
    fn casefold_table_matches_casefolding_fixture() {
        let rel = "fixtures/unicode15_CaseFolding.txt";
        let Some(data) = crate::shared_data(rel).and_then(|p| std::fs::read_to_string(p).ok())
        else {
            println!("SKIPPED casefold fixture test: ../shared/data/{rel} is not present");
            return;
        };
        let n = case(CaseMode::Fold);
        let mut listed = 0;
        let mut seen = std::collections::HashSet::new();
        for line in data.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(';').map(str::trim).collect();
            if f[1] != "C" && f[1] != "F" {
                continue;
            }
            let c = char::from_u32(u32::from_str_radix(f[0], 16).unwrap()).unwrap();
            let m: String = f[2]
                .split_whitespace()
                .map(|h| char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap())
                .collect();
            assert_eq!(n.normalize(&c.to_string()), m, "U+{:04X}", c as u32);
            seen.insert(c);
            listed += 1;
        }
        assert!(listed > 1400);
        assert_eq!(tables::CASEFOLD.len(), listed);
        // Every other char folds to itself.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if !seen.contains(&c) {
                assert!(casefold(c).is_none(), "U+{:04X}", c as u32);
            }
        }
        assert_eq!(tables::CASEFOLD_UNICODE_VERSION, "15.0.0");
    }

    // -------------------------------------------------------------------------------------------------
    // removed characters, CJK
    // -------------------------------------------------------------------------------------------------

    #[test]
    fn remove_chars_keras_punctuation() {
        let cfg = NormalizeConfig {
            remove_chars: "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'".into(),
            ..cfg_none()
        };
        let n = Normalizer::new(&cfg).unwrap();
        let text = "Hello, world! It's [ok] — «fine».";
        let out = tracked(&n, text);
        assert_eq!(out.text, "Hello world Its ok — «fine»");
        assert_eq!(source_of(text, &out, "Its"), "It's");
        let n = Normalizer::new(&NormalizeConfig {
            remove_chars: "«»—é".into(),
            ..cfg_none()
        })
        .unwrap();
        assert_eq!(n.normalize("«café» — ok"), "caf  ok");
    }

    #[test]
    fn pad_cjk_like_bert() {
        let n = Normalizer::new(&NormalizeConfig {
            pad_cjk: true,
            ..cfg_none()
        })
        .unwrap();
        let text = "ab中文c 日";
        let out = tracked(&n, text);
        assert_eq!(out.text, "ab 中  文 c  日 ");
        assert_eq!(out.align[2], (2, 2));
        assert_eq!(source_of(text, &out, "文"), "文");
        let after_zhong = 3 + '中'.len_utf8();
        assert_eq!(out.align[after_zhong], (5, 5));
        assert_eq!(n.normalize("かな한국어"), "かな한국어");
        assert_eq!(n.normalize("\u{20000}"), " \u{20000} ");
        // Padding inside a multi-char NFKC expansion stays sorted.
        let n = Normalizer::new(&NormalizeConfig {
            pad_cjk: true,
            unicode: UnicodeForm::Nfkc,
            ..cfg_none()
        })
        .unwrap();
        let out = tracked(&n, "x㈠y");
        assert_eq!(out.text, "x( 一 )y");
        assert!(out.align[2..7].iter().all(|&r| r == (1, 4)));
    }

    // -------------------------------------------------------------------------------------------------
    // placeholders
    // -------------------------------------------------------------------------------------------------

    fn places(p: Placeholder) -> Normalizer {
        Normalizer::new(&NormalizeConfig {
            url: p,
            email: p,
            mention: p,
            hashtag: p,
            number: p,
            emoji: p,
            ..cfg_none()
        })
        .unwrap()
    }

    #[test]
    fn placeholders_replace() {
        let n = places(Placeholder::Replace);
        let text = "See https://ex.com/a?b=1. Mail me@mail.com, @bob #fun 1,000.5 abc123 😀!";
        let out = tracked(&n, text);
        assert_eq!(
            out.text,
            "See <url>. Mail <email>, <user> <hashtag> <num> abc123 <emoji>!"
        );
        let toks: Vec<&str> = out
            .protected
            .iter()
            .map(|&(s, e)| &out.text[s as usize..e as usize])
            .collect();
        assert_eq!(
            toks,
            [
                "<url>",
                "<email>",
                "<user>",
                "<hashtag>",
                "<num>",
                "<emoji>"
            ]
        );
        assert_eq!(source_of(text, &out, "<url>"), "https://ex.com/a?b=1");
        assert_eq!(source_of(text, &out, "<email>"), "me@mail.com");
        assert_eq!(source_of(text, &out, "<emoji>"), "😀");
        assert_eq!(
            n.normalize("www.site.io, (http://w.org/x_(y)) ok"),
            "<url>, (<url>) ok"
        );
        assert_eq!(n.normalize("x:http://a.b"), "x:<url>");
        assert_eq!(n.normalize("www. alone"), "www. alone");
    }

    #[test]
    fn placeholders_adjacency_and_boundaries() {
        let n = places(Placeholder::Replace);
        assert_eq!(n.normalize("hi😀there"), "hi <emoji> there");
        assert_eq!(n.normalize("a@b C# x#y"), "a@b C# x#y");
        assert_eq!(n.normalize("abc123 2nd 12.5kg v2"), "abc123 2nd 12.5kg v2");
        assert_eq!(
            n.normalize("-5 +3 2020-2021 3.14"),
            "<num> <num> <num>-<num> <num>"
        );
        assert_eq!(n.normalize("#123 #a1"), "#<num> <hashtag>");
        let out = tracked(&n, "x😀y");
        assert_eq!(out.text, "x <emoji> y");
        assert_eq!(out.align[1], (1, 1));
        assert_eq!(out.align[9], (5, 5));
    }

    #[test]
    fn placeholders_emoji_sequences() {
        let n = Normalizer::new(&NormalizeConfig {
            emoji: Placeholder::Replace,
            ..cfg_none()
        })
        .unwrap();
        for e in [
            "😀",
            "👍🏽",
            "👨\u{200D}👩\u{200D}👧",
            "🇫🇷",
            "#\u{FE0F}\u{20E3}",
            "1\u{FE0F}\u{20E3}",
            "❤\u{FE0F}",
            "🏳\u{FE0F}\u{200D}🌈",
            "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
            "🏃\u{200D}♀\u{FE0F}",
        ] {
            let text = format!("a {e} b");
            let out = tracked(&n, &text);
            assert_eq!(out.text, "a <emoji> b", "{e:?}");
            assert_eq!(source_of(&text, &out, "<emoji>"), e);
        }
        assert_eq!(n.normalize("🇫🇷🇩🇪"), "<emoji><emoji>");
        assert_eq!(n.normalize("© 2024 ™ ↔ 1 #"), "© 2024 ™ ↔ 1 #");
        // Only numbers enabled: a keycap digit is not a number, URL digits stay.
        let num = Normalizer::new(&NormalizeConfig {
            number: Placeholder::Replace,
            ..cfg_none()
        })
        .unwrap();
        assert_eq!(
            num.normalize("see http://x.com/page/2 or 3"),
            "see http://x.com/page/2 or <num>"
        );
        assert_eq!(num.normalize("123@x.com 7"), "123@x.com <num>");
    }

    #[test]
    fn placeholders_drop() {
        let n = places(Placeholder::Drop);
        assert_eq!(n.normalize("go to http://x.y now"), "go to  now");
        assert_eq!(n.normalize("hi😀there"), "hi there");
        assert_eq!(n.normalize("a 😀, b"), "a , b");
        let out = tracked(&n, "x😀y");
        assert_eq!(out.text, "x y");
        assert_eq!(out.align[1], (1, 5));
        assert!(out.protected.is_empty());
    }

    #[test]
    fn placeholders_then_whitespace_shift_protected() {
        let n = Normalizer::new(&NormalizeConfig {
            url: Placeholder::Replace,
            number: Placeholder::Replace,
            whitespace: Whitespace::Collapse,
            ..cfg_none()
        })
        .unwrap();
        let text = " \u{3000} see\u{A0}\u{A0} http://a.b  and\t\t42 ";
        let out = tracked(&n, text);
        assert_eq!(out.text, "see <url> and <num>");
        let toks: Vec<&str> = out
            .protected
            .iter()
            .map(|&(s, e)| &out.text[s as usize..e as usize])
            .collect();
        assert_eq!(toks, ["<url>", "<num>"]);
    }

    // -------------------------------------------------------------------------------------------------
    // whitespace
    // -------------------------------------------------------------------------------------------------

    #[test]
    fn whitespace_modes() {
        let ws = |whitespace| {
            Normalizer::new(&NormalizeConfig {
                whitespace,
                ..cfg_none()
            })
            .unwrap()
        };
        let text = "  a\t\tb\u{A0}c\u{3000}\n d  ";
        assert_eq!(ws(Whitespace::Keep).normalize(text), text);
        assert_eq!(ws(Whitespace::Normalize).normalize(text), "  a  b c   d  ");
        let out = tracked(&ws(Whitespace::Collapse), text);
        assert_eq!(out.text, "a b c d");
        assert_eq!(source_of(text, &out, "c d"), "c\u{3000}\n d");
        assert_eq!(ws(Whitespace::Collapse).normalize("   "), "");
        assert_eq!(ws(Whitespace::Collapse).normalize("a b"), "a b");
        assert_eq!(ws(Whitespace::Collapse).normalize("\u{200B}"), "\u{200B}");
    }

    #[test]
    fn bert_like_uncased_config() {
        let cfg = NormalizeConfig {
            strip_control: true,
            unicode: UnicodeForm::None,
            accents: AccentMode::StripAllMarks,
            case: CaseMode::LowerChar,
            pad_cjk: true,
            whitespace: Whitespace::Normalize,
            ..NormalizeConfig::default()
        };
        let n = Normalizer::new(&cfg).unwrap();
        let text = "Héllo\tWörld\u{200B}中文!";
        let out = tracked(&n, text);
        assert_eq!(out.text, "hello world 中  文 !");
        assert_eq!(source_of(text, &out, "hello"), "Héllo");
    }

    #[test]
    fn buffers_are_reused_without_leaking() {
        let n = Normalizer::new(&NormalizeConfig::default()).unwrap();
        let mut out = Normalized::new();
        n.normalize_into("FIRST LONG TEXT ÉÉÉ", &mut out, true);
        n.normalize_into("ab", &mut out, false);
        assert_eq!(out.text, "ab");
        assert!(out.align.is_empty());
        n.normalize_into("Ab", &mut out, true);
        assert_eq!(out.text, "ab");
        assert_eq!(out.align, vec![(0, 1), (1, 2)]);
    }

    /// Rough MB/s per config: `cargo test --release -p textprep-core throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn throughput() {
        let files = std::env::var("TP_BENCH_FILES").unwrap_or_else(|_| {
            [
                "fixtures/text_en_sample.txt",
                "fixtures/text_multilingual_sample.txt",
            ]
            .iter()
            .filter_map(|r| crate::shared_data(r))
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(":")
        });
        let Ok(data) = files
            .split(':')
            .map(std::fs::read_to_string)
            .collect::<std::io::Result<String>>()
        else {
            println!("SKIPPED throughput: cannot read {files}");
            return;
        };
        let docs: Vec<&str> = data.lines().collect();
        for (name, cfg) in [
            ("default", NormalizeConfig::default()),
            ("none", cfg_none()),
            (
                "control",
                NormalizeConfig {
                    strip_control: true,
                    ..cfg_none()
                },
            ),
            (
                "nfkc",
                NormalizeConfig {
                    unicode: UnicodeForm::Nfkc,
                    ..cfg_none()
                },
            ),
            (
                "lower",
                NormalizeConfig {
                    case: CaseMode::Lower,
                    ..cfg_none()
                },
            ),
            (
                "bert",
                NormalizeConfig {
                    accents: AccentMode::StripAllMarks,
                    case: CaseMode::LowerChar,
                    pad_cjk: true,
                    whitespace: Whitespace::Normalize,
                    unicode: UnicodeForm::None,
                    ..NormalizeConfig::default()
                },
            ),
            (
                "places",
                NormalizeConfig {
                    url: Placeholder::Replace,
                    number: Placeholder::Replace,
                    emoji: Placeholder::Replace,
                    whitespace: Whitespace::Collapse,
                    ..NormalizeConfig::default()
                },
            ),
            (
                "html+fold",
                NormalizeConfig {
                    strip_html: true,
                    case: CaseMode::Fold,
                    accents: AccentMode::Strip,
                    ..NormalizeConfig::default()
                },
            ),
        ] {
            let n = Normalizer::new(&cfg).unwrap();
            let mut out = Normalized::new();
            for track in [false, true] {
                let t0 = std::time::Instant::now();
                let mut bytes = 0;
                for _ in 0..50 {
                    for d in &docs {
                        n.normalize_into(d, &mut out, track);
                        bytes += d.len();
                    }
                }
                let secs = t0.elapsed().as_secs_f64();
                println!(
                    "{name:10} track={track:5}: {:.0} MB/s",
                    bytes as f64 / secs / 1e6
                );
            }
        }
    }

    #[test]
    fn normalizer_is_send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Normalizer>();
        assert_send_sync::<Normalized>();
    }
}
