//! Artifact, config and counts parsing of arbitrary text: never a panic, only `Ok` or an error; a parsed
//! artifact round-trips with the same fingerprint and encodes with ids in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textprep_core::{artifact, config::Config, vocab::Counts};
use textprep_fuzz::{check_ids, valid_prefix};

fuzz_target!(|data: &[u8]| {
    let s = valid_prefix(data);
    let _ = Config::from_json(s);
    let _ = Counts::from_json(s);
    if let Ok(p) = artifact::from_json(s) {
        let again =
            artifact::from_json(&artifact::to_json(&p)).expect("re-serialized artifact loads");
        assert_eq!(artifact::fingerprint(&again), artifact::fingerprint(&p));
        if p.id_space().is_ok() {
            check_ids(&p, &["the quick brown fox", "", "Ünïcödé ﬁ 東京 👍🏽"]);
        }
    }
});
