//! Tokenization with each splitter and preset, offsets, shapes, batches and ids: no panic, offsets in bounds,
//! batch output equal to single calls, every id in range (hashed layouts and a vocabulary fitted on the input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use textprep_fuzz::{cached_pipeline, check_ids, check_normalized, check_offsets, config, Input};

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let cfg = config(&mut inp);
    let Some(p) = cached_pipeline(&cfg) else {
        return; // an invalid combination is rejected with an error, which is the contract
    };
    let text = inp.text;
    // the text split in two documents at a char boundary, plus an empty one
    let mid = (0..=text.len() / 2)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let docs = [text, &text[..mid], &text[mid..], ""];

    check_normalized(&p, text);
    let toks = p.tokenize(text);
    assert!(
        toks.iter().all(|t| !t.is_empty()),
        "empty token in {toks:?}"
    );
    check_offsets(&p, text, toks.len());
    assert_eq!(p.shapes(text).len(), toks.len(), "one shape per token");

    let flat = p.tokenize_batch(&docs, &mut || Ok(())).unwrap();
    assert_eq!(flat.row_splits.len(), docs.len() + 1);
    for (i, d) in docs.iter().enumerate() {
        let (a, b) = (flat.row_splits[i] as usize, flat.row_splits[i + 1] as usize);
        let row: Vec<&str> = (a..b)
            .map(|j| {
                std::str::from_utf8(
                    &flat.bytes[flat.offsets[j] as usize..flat.offsets[j + 1] as usize],
                )
                .unwrap()
            })
            .collect();
        assert_eq!(row, p.tokenize(d), "batch row {i} differs from tokenize");
    }

    if p.is_hashed() {
        check_ids(&p, &docs);
    } else {
        let counts = p.count_batch(&docs[1..], &mut || Ok(())).unwrap();
        let fitted = p.fit_counts(&counts);
        check_ids(&fitted, &docs);
        let v = fitted.vocab().unwrap();
        // decode(encode) is the tokens with OOV replaced
        let ids = fitted.encode(text).unwrap();
        let back = fitted.decode(&ids).unwrap();
        let want: Vec<String> = toks
            .iter()
            .map(|t| {
                if v.contains(t) {
                    t.clone()
                } else {
                    v.oov_token().to_string()
                }
            })
            .collect();
        assert_eq!(back, want);
    }
});
