//! Text vectors parsing (`vectors::TextVectorsParser`): no panic; the result (values, words, counts, or the
//! first error with its line) does not depend on how the file is cut into blocks; `kept x dim` values; kept
//! words are unique, in the keep-set when there is one, and UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textprep_core::vectors::TextVectorsParser;
use textprep_fuzz::Input;

type Outcome = (
    Result<Vec<u32>, String>,
    Vec<String>,
    String,
    Option<usize>,
    Vec<(usize, u64)>,
);

fn parse(data: &[u8], cuts: &[usize], setup: &dyn Fn() -> TextVectorsParser) -> Outcome {
    let mut p = setup();
    let mut words = Vec::new();
    let mut start = 0;
    let mut result = Ok(());
    for &c in cuts.iter().chain(std::iter::once(&data.len())) {
        let c = c.clamp(start, data.len());
        result = p.feed(&data[start..c]);
        words.extend(p.take_words());
        start = c;
        if result.is_err() {
            break;
        }
    }
    let values = result
        .and_then(|()| p.finish())
        .map(|v| v.iter().map(|x| x.to_bits()).collect())
        .map_err(|e| e.to_string());
    words.extend(p.take_words());
    (
        values,
        words,
        format!("{:?}", p.counts()),
        p.dim(),
        p.nonfinite().to_vec(),
    )
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let dim = match inp.byte() % 4 {
        0 => None,
        d => Some(d as usize),
    };
    let max_rows = match inp.byte() % 3 {
        0 => None,
        r => Some(r as u64 * 2),
    };
    let replace = inp.flag();
    let keep_mode = inp.byte() % 3;
    let lines_before = (inp.byte() % 2) as u64;
    let mut cuts: Vec<usize> = (0..4).map(|_| inp.byte() as usize * 7).collect();
    cuts.sort_unstable();
    let body = &data[data.len().min(textprep_fuzz::CONFIG_BYTES)..];
    let keep: Option<Vec<Vec<u8>>> = match keep_mode {
        0 => None,
        1 => Some(vec![
            b"a".to_vec(),
            b"the".to_vec(),
            "\u{e9}".as_bytes().to_vec(),
        ]),
        _ => Some(
            body.split(|&b| b == b'\n')
                .step_by(2)
                .map(|l| l.split(|&b| b == b' ').next().unwrap_or(&[]).to_vec())
                .collect(),
        ),
    };
    let setup = || TextVectorsParser::new(dim, keep.clone(), max_rows, replace, lines_before);
    let whole = parse(body, &[], &setup);
    let blocks = parse(body, &cuts, &setup);
    let bytewise: Vec<usize> = (1..body.len().min(64)).collect();
    assert_eq!(whole, blocks, "block cuts {cuts:?} changed the result");
    assert_eq!(
        whole,
        parse(body, &bytewise, &setup),
        "byte-by-byte feeding changed the result"
    );
    if let (Ok(values), words, _, Some(d), _) = &whole {
        assert_eq!(values.len(), words.len() * d, "kept x dim values");
        let mut seen = std::collections::HashSet::new();
        for w in words {
            assert!(seen.insert(w), "duplicate kept word {w:?}");
            if let Some(k) = &keep {
                if !replace {
                    assert!(
                        k.iter().any(|x| x == w.as_bytes()),
                        "{w:?} not in the keep-set"
                    );
                }
            }
        }
    }
});
