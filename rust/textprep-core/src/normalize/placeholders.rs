//! Stage 8: placeholders for URLs, e-mails, mentions, hashtags, emoji and numbers (replaced or dropped).

use regex::Regex;
use unicode_general_category::{get_general_category, GeneralCategory};

use super::Out;
use crate::config::{NormalizeConfig, Placeholder};
use crate::{Error, Result};

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
pub(super) struct Placeholders {
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
    pub(super) fn new(cfg: &NormalizeConfig) -> Result<Option<Placeholders>> {
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
    pub(super) fn apply(
        &self,
        input: &str,
        out: &mut Out<'_>,
        protected: &mut Vec<(u32, u32)>,
    ) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::*;

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
}
