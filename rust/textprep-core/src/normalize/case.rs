//! Stage 5: case mapping (`lower` with final sigma, `fold`, `lower_ascii`, `lower_char`), no locale tailoring.

use unicode_general_category::{get_general_category, GeneralCategory};

use super::props::{bmp_sets, casefold, in_bmp_set};
use super::{find_char, Out};
use crate::config::CaseMode;

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
pub(super) fn map_case(mode: CaseMode, input: &str, out: &mut Out<'_>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tables;
    use crate::normalize::test_support::*;

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
}
