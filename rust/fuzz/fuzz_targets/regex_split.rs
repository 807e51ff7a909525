//! `regex.v1` with an arbitrary pattern: compiling either works or returns a config error, and splitting any
//! text terminates with tokens inside the text (the engine is linear-time, so no pattern can hang it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use textprep_core::config::{Config, TokenizeConfig};
use textprep_core::pipeline::Pipeline;
use textprep_fuzz::{check_offsets, valid_prefix};

fuzz_target!(|data: &[u8]| {
    // pattern, then a NUL byte, then the text
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let pattern = valid_prefix(&data[..cut]);
    let text = valid_prefix(data.get(cut + 1..).unwrap_or(&[]));
    if pattern.len() > 200 {
        return;
    }
    let cfg = Config {
        tokenize: TokenizeConfig {
            split: "regex.v1".into(),
            pattern: Some(pattern.into()),
            ..TokenizeConfig::default()
        },
        ..Config::default()
    };
    match Pipeline::new(cfg) {
        Ok(p) => {
            let toks = p.tokenize(text);
            check_offsets(&p, text, toks.len());
        }
        Err(e) => assert!(e.to_string().contains("tokenize.pattern"), "{e}"),
    }
});
