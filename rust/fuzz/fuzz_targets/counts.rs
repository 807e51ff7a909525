//! Vocabulary counting, capped pruning, merging and serialization: merge is commutative and equals counting
//! everything at once (exact counts), capped counts keep their documented bounds, JSON round-trips, and a
//! vocabulary fitted on any counts gives ids in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textprep_core::config::VocabConfig;
use textprep_core::vocab::{Counts, Vocab};
use textprep_fuzz::Input;

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let cap = inp.byte() as usize % 6;
    let cfg = VocabConfig {
        max_tokens: match inp.byte() % 3 {
            0 => None,
            m => Some(m as usize * 2),
        },
        min_freq: (inp.byte() % 3) as u64,
        num_oov_buckets: 1 + (inp.byte() as u32 % 3),
        special_tokens: if inp.flag() {
            vec!["[CLS]".into(), "a".into()]
        } else {
            vec![]
        },
        ..VocabConfig::default()
    };
    // documents are lines, tokens are space-separated (empty tokens included: the engine must cope)
    let docs: Vec<Vec<&str>> = inp
        .text
        .split('\n')
        .map(|l| l.split(' ').collect())
        .collect();
    let half = docs.len() / 2;
    let count = |ds: &[Vec<&str>], cap: usize| {
        let mut c = Counts::with_cap(cap);
        for d in ds {
            c.add_doc(d.iter().copied());
        }
        c
    };
    let all = count(&docs, 0);
    let (a, b) = (count(&docs[..half], 0), count(&docs[half..], 0));
    let mut ab = a.clone();
    ab.merge(&b);
    let mut ba = b.clone();
    ba.merge(&a);
    assert_eq!(ab, all, "merge of halves equals counting everything");
    assert_eq!(ba, all, "merge is commutative");
    assert_eq!(
        Counts::from_json(&all.to_json()).unwrap(),
        all,
        "JSON round trip"
    );
    for (t, tf, df) in all.iter() {
        assert!(
            df >= 1 && df <= tf && df <= all.n_docs(),
            "{t:?}: tf {tf} df {df}"
        );
    }

    if cap > 0 {
        let mut capped = count(&docs[..half], cap);
        capped.merge(&count(&docs[half..], cap));
        let pm = capped.pruned_max();
        assert!(capped.len() <= 2 * cap || pm == 0);
        for (t, tf, _) in all.iter() {
            match capped.get(t) {
                Some((ctf, _)) => {
                    assert!(tf <= ctf && ctf <= tf + pm, "{t:?}: {tf} vs {ctf} (+{pm})")
                }
                None => assert!(tf <= pm, "{t:?} with tf {tf} > pruned_max {pm} was pruned"),
            }
        }
        let rt = Counts::from_json(&capped.to_json()).unwrap();
        assert_eq!(rt, capped);
    }

    let v = Vocab::from_counts(&all, &cfg);
    let size = v.size() as i32;
    for d in &docs {
        for t in d {
            let id = v.id(t);
            assert!(id >= 1 && id < size, "id {id} of {t:?} outside 1..{size}");
            if let Some(back) = v.token(id) {
                if v.contains(t) {
                    assert_eq!(back, *t);
                }
            }
        }
    }
    if let Some(m) = cfg.max_tokens {
        assert!(v.tokens().len() <= m + cfg.special_tokens.len());
    }
    // extending never renumbers
    let before: Vec<Box<str>> = v.tokens().to_vec();
    let mut ext = v.clone();
    ext.extend(&count(&docs[half..], 0), &cfg, Some(3));
    assert_eq!(&ext.tokens()[..before.len()], &before[..]);
});
