//! Shape/case classes emitted by the shape channel (0 is padding), computed on a token's original text.

use unicode_general_category::{get_general_category, GeneralCategory as Gc};

/// Padding.
pub const PAD: u8 = 0;
/// All cased letters lower case (`apple`).
pub const LOWER: u8 = 1;
/// First cased letter upper, the others lower (`Apple`, `A`).
pub const TITLE: u8 = 2;
/// Two or more cased letters, all upper (`USA`).
pub const UPPER: u8 = 3;
/// Any other mix of cases (`iPhone`, `McDonald`).
pub const MIXED: u8 = 4;
/// Digits and no letters (`2024`, `3.5`).
pub const DIGIT: u8 = 5;
/// No cased letter and no digit (punctuation, CJK, symbols).
pub const OTHER: u8 = 6;

/// Shape/case class of a token's original text (see the constants of this module): cased letters are Lu/Lt (upper) and Ll
/// (lower); with any cased letter the class is LOWER, TITLE, UPPER or MIXED; otherwise DIGIT when there is a
/// number (N*) and no letter at all, else OTHER.
pub fn shape_of(token: &str) -> u8 {
    let mut n_cased = 0usize;
    let mut first_upper = false;
    let mut n_upper = 0usize;
    let mut rest_upper = false;
    let mut has_digit = false;
    let mut has_letter = false;
    let mut note = |upper: bool| {
        if n_cased == 0 {
            first_upper = upper;
        } else if upper {
            rest_upper = true;
        }
        n_upper += upper as usize;
        n_cased += 1;
    };
    for c in token.chars() {
        if c.is_ascii() {
            if c.is_ascii_lowercase() {
                note(false);
            } else if c.is_ascii_uppercase() {
                note(true);
            } else if c.is_ascii_digit() {
                has_digit = true;
            }
            continue;
        }
        match get_general_category(c) {
            Gc::LowercaseLetter => note(false),
            Gc::UppercaseLetter | Gc::TitlecaseLetter => note(true),
            Gc::ModifierLetter | Gc::OtherLetter => has_letter = true,
            Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber => has_digit = true,
            _ => {}
        }
    }
    if n_cased > 0 {
        if n_upper == 0 {
            LOWER
        } else if first_upper && !rest_upper {
            TITLE
        } else if n_upper == n_cased {
            UPPER
        } else {
            MIXED
        }
    } else if has_digit && !has_letter {
        DIGIT
    } else {
        OTHER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_shape_of() {
        let cases: &[(&str, u8)] = &[
            ("apple", LOWER),
            ("Apple", TITLE),
            ("A", TITLE),
            ("USA", UPPER),
            ("iPhone", MIXED),
            ("McDonald", MIXED),
            ("2024", DIGIT),
            ("3.5", DIGIT),
            ("1,000", DIGIT),
            ("²", DIGIT),
            (",", OTHER),
            ("中文", OTHER),
            ("中1", OTHER),
            ("\u{1F600}", OTHER),
            ("", OTHER),
            ("été", LOWER),
            ("Été", TITLE),
            ("ÉTÉ", UPPER),
            ("ǅ", TITLE),
            ("Straße", TITLE),
            ("don't", LOWER),
            ("U.S.", UPPER),
            ("2nd", LOWER),
            ("3D", TITLE),
            ("Ωμέγα", TITLE),
            ("<url>", LOWER),
        ];
        for &(s, want) in cases {
            assert_eq!(shape_of(s), want, "{s}");
        }
    }
}
