//! The dedicated thread pool, the serial threshold, the fork flag and chunked work with interrupt checks.
//!
//! Work is cut into chunks by input bytes, never by thread count, so the output is identical at any number of
//! threads. Chunks are processed in waves; between waves the caller's `check` runs (the bridge uses it to
//! look for Ctrl-C), so an interrupt surfaces within one wave (a few MB of text, well under a second).

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rayon::ThreadPool;

use crate::Result;

/// Target bytes of input text per chunk (one rayon task).
pub const CHUNK_BYTES: usize = 256 * 1024;
/// Target bytes of input text per wave (between interrupt checks).
pub const WAVE_BYTES: usize = 16 * 1024 * 1024;
/// Below this many input bytes a batch runs on the calling thread: the pool's wake-up costs more than it saves.
pub const SERIAL_THRESHOLD: usize = 512 * 1024;

static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);
static FORKED: AtomicBool = AtomicBool::new(false);
static POOL: Mutex<Option<(usize, Arc<ThreadPool>)>> = Mutex::new(None);

/// Largest pool size: a typo such as `TEXTPREP_NUM_THREADS=1000000` must not try to spawn a million threads.
pub const MAX_THREADS: usize = 1024;

/// Number of threads batches use (`TEXTPREP_NUM_THREADS`, else the available cores), at most `MAX_THREADS`.
pub fn num_threads() -> usize {
    let n = match NUM_THREADS.load(Ordering::Relaxed) {
        0 => std::env::var("TEXTPREP_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            }),
        n => n,
    };
    n.min(MAX_THREADS)
}

/// Set the number of threads (0 restores the default).
pub fn set_num_threads(n: usize) {
    NUM_THREADS.store(n, Ordering::Relaxed);
}

/// Record that this process is a fork child: the parent's pool threads do not exist here, so run serially.
pub fn mark_forked() {
    FORKED.store(true, Ordering::Relaxed);
    // The pool object copied from the parent refers to threads that do not exist in the child: forget it
    // without dropping it (dropping would wait on those threads).
    if let Ok(mut guard) = POOL.try_lock() {
        if let Some(p) = guard.take() {
            std::mem::forget(p);
        }
    }
}

/// True after `mark_forked`.
pub fn is_forked() -> bool {
    FORKED.load(Ordering::Relaxed)
}

fn pool(threads: usize) -> Option<Arc<ThreadPool>> {
    let mut guard = POOL.lock().ok()?;
    if let Some((n, p)) = guard.as_ref() {
        if *n == threads {
            return Some(p.clone());
        }
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("textprep-{i}"))
            .build()
            .ok()?,
    );
    *guard = Some((threads, p.clone()));
    Some(p)
}

/// Cut `0..n` into consecutive ranges of about `CHUNK_BYTES` input bytes (`size(i)` is item i's byte size).
pub fn chunk_ranges(n: usize, size: impl Fn(usize) -> usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut acc = 0;
    for i in 0..n {
        acc += size(i) + 16;
        if acc >= CHUNK_BYTES {
            out.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    if start < n {
        out.push(start..n);
    }
    out
}

/// Run `f` on every chunk, in parallel when the input is large enough, returning the results in chunk order.
/// `items[i]` is the work item of chunk i (for instance an output slice); `bytes[i]` its input size.
pub fn map_chunks<I: Send, T: Send>(
    items: Vec<I>,
    bytes: &[usize],
    f: impl Fn(I) -> T + Sync,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<T>> {
    let total: usize = bytes.iter().sum();
    let threads = if is_forked() { 1 } else { num_threads() };
    let pool = if threads > 1 && total >= SERIAL_THRESHOLD && items.len() > 1 {
        pool(threads)
    } else {
        None
    };
    let mut out = Vec::with_capacity(items.len());
    let mut wave: Vec<I> = Vec::new();
    let mut wave_bytes = 0;
    let mut iter = items.into_iter().zip(bytes.iter().copied()).peekable();
    while let Some((item, b)) = iter.next() {
        wave.push(item);
        wave_bytes += b;
        if wave_bytes >= WAVE_BYTES || iter.peek().is_none() {
            let batch = std::mem::take(&mut wave);
            match &pool {
                Some(p) => {
                    out.extend(p.install(|| batch.into_par_iter().map(&f).collect::<Vec<T>>()))
                }
                None => out.extend(batch.into_iter().map(&f)),
            }
            wave_bytes = 0;
            check()?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_everything_in_order() {
        let sizes = vec![100_000usize; 37];
        let r = chunk_ranges(sizes.len(), |i| sizes[i]);
        assert_eq!(r.first().unwrap().start, 0);
        assert_eq!(r.last().unwrap().end, 37);
        for w in r.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        assert!(chunk_ranges(0, |_| 0).is_empty());
    }

    #[test]
    fn map_chunks_same_result_any_threads() {
        let items: Vec<usize> = (0..1000).collect();
        let bytes = vec![CHUNK_BYTES; 1000];
        let mut ok = || Ok(());
        set_num_threads(1);
        let a = map_chunks(items.clone(), &bytes, |x| x * 2, &mut ok).unwrap();
        set_num_threads(2);
        let b = map_chunks(items, &bytes, |x| x * 2, &mut ok).unwrap();
        set_num_threads(0);
        assert_eq!(a, b);
        assert_eq!(a[999], 1998);
    }

    #[test]
    fn thread_count_is_capped() {
        // found by the hostile-input review: set_num_threads(10**6) would build a pool of a million threads
        set_num_threads(1_000_000);
        assert_eq!(num_threads(), MAX_THREADS);
        set_num_threads(0);
        assert!(num_threads() >= 1);
    }

    #[test]
    fn check_error_stops_the_work() {
        let items: Vec<usize> = (0..200).collect();
        let bytes = vec![WAVE_BYTES; 200];
        let mut calls = 0;
        let mut stop = || {
            calls += 1;
            Err(crate::Error::Interrupted)
        };
        let r = map_chunks(items, &bytes, |x| x, &mut stop);
        assert_eq!(r, Err(crate::Error::Interrupted));
        assert_eq!(calls, 1);
    }
}
