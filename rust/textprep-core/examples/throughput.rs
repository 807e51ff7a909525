//! Engine throughput without Python: `cargo run --release --example throughput -- corpus.txt [threads]`.

use std::time::Instant;

use textprep_core::config::Config;
use textprep_core::parallel;
use textprep_core::pipeline::Pipeline;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: throughput CORPUS [THREADS]");
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    parallel::set_num_threads(threads);
    let text = std::fs::read_to_string(path).expect("readable UTF-8 corpus");
    let docs: Vec<&str> = text.lines().collect();
    let mb = text.len() as f64 / 1e6;
    let mut ok = || Ok(());
    for (name, json) in [
        (
            "raw whitespace",
            r#"{"normalize":{"unicode":"none","case":"keep","strip_control":false},"tokenize":{"split":"whitespace.v1"}}"#,
        ),
        ("default (nfkc, lower, words.v1)", "{}"),
    ] {
        let p = Pipeline::new(Config::from_json(json).unwrap()).unwrap();
        let best = (0..3)
            .map(|_| {
                let t = Instant::now();
                let f = p.tokenize_batch(&docs, &mut ok).unwrap();
                std::hint::black_box(f);
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        println!("{name:35} tokenize_batch {:7.1} MB/s", mb / best);
        let c = p.count_batch(&docs, &mut ok).unwrap();
        let fitted = p.fit_counts(&c);
        let t = Instant::now();
        let e = fitted
            .encode_batch(&docs, Some(128), Some(false), &mut ok)
            .unwrap();
        std::hint::black_box(e);
        println!(
            "{name:35} encode_batch   {:7.1} MB/s",
            mb / t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        std::hint::black_box(p.count_batch(&docs, &mut ok).unwrap());
        println!(
            "{name:35} count_batch    {:7.1} MB/s",
            mb / t.elapsed().as_secs_f64()
        );
    }
}
