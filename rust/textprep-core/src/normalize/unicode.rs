//! Stages 3 and 4: Unicode normalization forms (segment by segment when tracking) and accent removal.

use std::iter::once;

use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::char::{
    canonical_combining_class, decompose_canonical, decompose_compatible,
};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use super::props::{bmp_sets, in_bmp_set, quick_single};
use super::Out;
use crate::config::{AccentMode, UnicodeForm};

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
pub(super) fn unicode_form(form: UnicodeForm, input: &str, out: &mut Out<'_>) -> bool {
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
pub(super) fn strip_accents(
    mode: AccentMode,
    recompose: bool,
    input: &str,
    out: &mut Out<'_>,
) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::*;
    use unicode_normalization::{is_nfd_quick, is_nfkc_quick, is_nfkd_quick};

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
}
