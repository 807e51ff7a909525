//! Stage 1, `strip_html`: tags, comments, `<script>`/`<style>` bodies removed, character references decoded.

use super::{tables, Out};

/// Remove tags, comments and `<script>`/`<style>` bodies and decode character references.
///
/// A `<` starts a tag only when followed by a letter (`<p`, `</p`), `!` or `?` and closed by a later `>`;
/// otherwise it is text (`a < b`). Attribute values are not parsed, so a `>` inside a quoted value ends the
/// tag early. Block-level tags become one space (unless the output already ends with whitespace) so words do
/// not glue; inline tags (`<b>`, `<span>`, `<a>`) and comments vanish. An unclosed comment or script body
/// runs to the end of the text, as in browsers. Named references need their `;`; numeric ones may omit it.
pub(super) fn strip_html(input: &str, out: &mut Out<'_>) -> bool {
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

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

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
}
