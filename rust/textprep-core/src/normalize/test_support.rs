//! Helpers shared by the normalization tests: configs, tracked runs with invariant checks, random texts.

pub(crate) use super::{Normalized, Normalizer};
pub(crate) use crate::config::{
    AccentMode, CaseMode, NormalizeConfig, Placeholder, UnicodeForm, Whitespace,
};

pub(crate) fn cfg_none() -> NormalizeConfig {
    NormalizeConfig {
        strip_control: false,
        unicode: UnicodeForm::None,
        case: CaseMode::Keep,
        ..NormalizeConfig::default()
    }
}

pub(crate) fn norm(cfg: &NormalizeConfig, text: &str) -> String {
    Normalizer::new(cfg).unwrap().normalize(text)
}

/// Normalize with tracking, check the invariants, and return the result.
pub(crate) fn tracked(n: &Normalizer, text: &str) -> Normalized {
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

pub(crate) fn check_invariants(text: &str, out: &Normalized) {
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
pub(crate) fn source_of<'a>(text: &'a str, out: &Normalized, needle: &str) -> &'a str {
    let i = out.text.find(needle).expect("needle in output");
    let (s, _) = out.align[i];
    let (_, e) = out.align[i + needle.len() - 1];
    &text[s as usize..e as usize]
}

pub(crate) use crate::Rng;

pub(crate) const PIECES: &[&str] = &[
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

pub(crate) fn random_text(rng: &mut Rng) -> String {
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

pub(crate) fn random_config(rng: &mut Rng) -> NormalizeConfig {
    let ph = |r: &mut Rng| [Placeholder::Keep, Placeholder::Replace, Placeholder::Drop][r.below(3)];
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
        remove_chars: ["", "", "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'", "aé中"][rng.below(4)].into(),
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
