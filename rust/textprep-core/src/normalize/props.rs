//! Unicode property lookups shared by the stages: BMP bitmaps built once per process, the one-char quick
//! check and full case folding (from the generated `tables.rs`).

use std::iter::once;
use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{
    is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick, IsNormalized,
};

use super::tables;
use crate::config::UnicodeForm;

/// Bitmaps over the BMP, built once per process (48 KiB): a set bit means the char needs no work.
/// They replace per-char table searches on the hot path (the multilingual sample went from about 200 to
/// about 600 MB/s for the NFKC quick check).
pub(super) struct BmpSets {
    /// Per form (NFC, NFKC, NFD, NFKD): ccc 0 and quick check `Yes`.
    pub(super) forms: [Vec<u64>; 4],
    /// Lowercase maps the char to itself (and it is not capital sigma).
    pub(super) lower_same: Vec<u64>,
    /// Case folding maps the char to itself.
    pub(super) fold_same: Vec<u64>,
}

pub(super) fn bmp_sets() -> &'static BmpSets {
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
pub(super) fn in_bmp_set(set: &[u64], c: char) -> bool {
    let u = c as u32;
    u < 0x1_0000
        && set
            .get((u >> 6) as usize)
            .is_some_and(|w| (w >> (u & 63)) & 1 == 1)
}

/// Quick check of one char alone.
pub(super) fn quick_single(form: UnicodeForm, c: char) -> IsNormalized {
    match form {
        UnicodeForm::None => IsNormalized::Yes,
        UnicodeForm::Nfc => is_nfc_quick(once(c)),
        UnicodeForm::Nfkc => is_nfkc_quick(once(c)),
        UnicodeForm::Nfd => is_nfd_quick(once(c)),
        UnicodeForm::Nfkd => is_nfkd_quick(once(c)),
    }
}

/// Full case folding of `c` (CaseFolding.txt statuses C + F), `None` when it folds to itself.
#[inline]
pub(super) fn casefold(c: char) -> Option<&'static str> {
    tables::CASEFOLD
        .binary_search_by(|(k, _)| k.cmp(&c))
        .ok()
        .map(|i| tables::CASEFOLD[i].1)
}
