//! Normalization with every option combination: no panic, alignment invariants, and idempotence for the
//! configurations that promise it (a Unicode form with case keep/lower/fold/lower_char and nothing else, and the
//! default config).
#![no_main]

use libfuzzer_sys::fuzz_target;
use textprep_core::config::{CaseMode, Config, NormalizeConfig, UnicodeForm};
use textprep_fuzz::{cached_pipeline, check_normalized, normalize_config, Input};

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let cfg = normalize_config(&mut inp);
    let text = inp.text;
    let full = Config {
        normalize: cfg,
        ..Config::default()
    };
    let p = cached_pipeline(&full).expect("every normalize config compiles");
    check_normalized(&p, text);

    // Idempotent configurations (the engine's documented promise; see the normalize/ tests).
    let form = inp.pick(&[
        UnicodeForm::Nfc,
        UnicodeForm::Nfkc,
        UnicodeForm::Nfd,
        UnicodeForm::Nfkd,
    ]);
    let case = inp.pick(&[
        CaseMode::Keep,
        CaseMode::Lower,
        CaseMode::Fold,
        CaseMode::LowerChar,
    ]);
    let plain = NormalizeConfig {
        strip_control: false,
        unicode: form,
        case,
        ..NormalizeConfig::default()
    };
    for cfg in [plain, NormalizeConfig::default()] {
        let n = cached_pipeline(&Config {
            normalize: cfg.clone(),
            ..Config::default()
        })
        .unwrap();
        let once = n.normalize(text);
        assert_eq!(
            n.normalize(&once),
            once,
            "{:?}/{:?} not idempotent",
            cfg.unicode,
            cfg.case
        );
    }
});
