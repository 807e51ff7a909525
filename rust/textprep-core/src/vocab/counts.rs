//! Mergeable token and document counts, their JSON document, and the deterministic ranking (count desc, token asc).

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde_json::Value;

use super::table::{Interner, Probe};
use crate::{Error, Result};

/// Format name of the counts JSON document.
pub const COUNTS_FORMAT: &str = "textprep.counts";
/// Version of the counts JSON document written by this release.
pub const COUNTS_FORMAT_VERSION: u64 = 1;

#[derive(Debug, Clone, Copy)]
struct Entry {
    tf: u64,
    df: u64,
    /// Serial (1-based) of the last document that counted this token; 0 = none in this object.
    last_doc: u64,
}

/// Token and document frequencies; merge is associative and commutative.
///
/// **Exact mode** (the default, no cap): `tf` is the number of occurrences and `df` the number of documents
/// containing the token; `merge` adds them, so counting shards separately and merging them in any order gives the
/// same result as counting everything at once.
///
/// **Capped mode** ([`Counts::with_cap`]): memory stays bounded by pruning, space-saving style. When more than
/// `2 * cap` distinct tokens are held (checked after each document and each merge), only the `cap` tokens ranked
/// first by (tf desc, token asc) are kept, and `pruned_max` (resp. `pruned_df_max`) becomes the largest tf (df)
/// ever pruned. A token that is counted again after being pruned starts at `pruned_max + 1` (`pruned_df_max + 1`),
/// not at 1. This gives, for every token, with `T` its true count:
/// - a token absent from the counts has `T <= pruned_max`; so **every token with `T > pruned_max` is kept**;
/// - a kept token's stored `tf` satisfies `T <= tf <= T + pruned_max` (an overestimate by at most `pruned_max`);
/// - the same two statements hold for df with `pruned_df_max`.
///
/// Merging capped counts keeps these guarantees with `pruned_max = a.pruned_max + b.pruned_max` (a token missing
/// from one side is counted as that side's `pruned_max`). Without any pruning (`pruned_max == 0`) everything is
/// exact. Capped counts depend on the order of the documents (only within the error bound above); exact counts
/// never do.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    keys: Interner,
    /// Counts of entry `i` of `keys`.
    entries: Vec<Entry>,
    n_docs: u64,
    pruned_max: u64,
    pruned_df_max: u64,
    cap: Option<usize>,
}

impl PartialEq for Counts {
    /// Equal counts: same `n_docs`, pruning bounds and (token, tf, df) entries (the cap is a setting, not data).
    fn eq(&self, other: &Self) -> bool {
        self.n_docs == other.n_docs
            && self.pruned_max == other.pruned_max
            && self.pruned_df_max == other.pruned_df_max
            && self.len() == other.len()
            && self.entries.iter().enumerate().all(|(i, a)| {
                other
                    .keys
                    .find(&Probe::with_hash(self.keys.get(i), self.keys.hash(i)))
                    .is_some_and(|j| {
                        let b = &other.entries[j];
                        a.tf == b.tf && a.df == b.df
                    })
            })
    }
}

/// Rank order of the vocabulary: count descending, then token ascending (byte order).
fn rank(a: (&str, u64), b: (&str, u64)) -> Ordering {
    b.1.cmp(&a.1)
        .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
}

impl Counts {
    /// Empty counts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empty counts that keep at most about `2 * cap` distinct tokens (see the type's doc); `cap = 0` means no cap.
    pub fn with_cap(cap: usize) -> Self {
        let mut c = Self::new();
        c.set_cap(Some(cap));
        c
    }

    /// Set or remove the cap (pruning happens at the next document or merge, or right now if already over).
    pub fn set_cap(&mut self, cap: Option<usize>) {
        self.cap = cap.filter(|&c| c > 0);
        self.maybe_prune();
    }

    /// The cap, if any.
    pub fn cap(&self) -> Option<usize> {
        self.cap
    }

    /// Largest term frequency ever pruned (0 when the counts are exact).
    pub fn pruned_max(&self) -> u64 {
        self.pruned_max
    }

    /// Largest document frequency ever pruned (0 when the counts are exact).
    pub fn pruned_df_max(&self) -> u64 {
        self.pruned_df_max
    }

    /// Count the tokens of one document: tf once per occurrence, df once per document.
    pub fn add_doc<'a>(&mut self, tokens: impl Iterator<Item = &'a str>) {
        self.n_docs = self.n_docs.saturating_add(1);
        let serial = self.n_docs;
        let fresh = Entry {
            tf: self.pruned_max.saturating_add(1),
            df: self.pruned_df_max.saturating_add(1),
            last_doc: serial,
        };
        for t in tokens {
            // Hot path: one probe, no allocation (a new token's bytes go to the arena).
            let (i, new) = self.keys.find_or_insert(&Probe::new(t));
            if new {
                self.entries.push(fresh);
            } else {
                let e = &mut self.entries[i];
                e.tf = e.tf.saturating_add(1);
                if e.last_doc != serial {
                    e.last_doc = serial;
                    e.df = e.df.saturating_add(1);
                }
            }
        }
        self.maybe_prune();
    }

    /// Merge `other` into `self` (sums; exact when neither side was pruned).
    pub fn merge(&mut self, other: &Counts) {
        self.n_docs = self.n_docs.saturating_add(other.n_docs);
        let (fa, fda) = (self.pruned_max, self.pruned_df_max);
        let (fb, fdb) = (other.pruned_max, other.pruned_df_max);
        let from_other = |v: &Entry| Entry {
            tf: v.tf.saturating_add(fa),
            df: v.df.saturating_add(fda),
            last_doc: 0,
        };
        if self.keys.len() == 0 {
            // Merging into empty counts (the first chunk of a batch): copy the table, arena and hashes as they are.
            self.keys = other.keys.clone();
            self.entries = other.entries.iter().map(from_other).collect();
        } else {
            if fb != 0 || fdb != 0 {
                // Tokens only in self were counted at most `fb` times in `other`.
                for e in &mut self.entries {
                    e.tf = e.tf.saturating_add(fb);
                    e.df = e.df.saturating_add(fdb);
                }
            }
            for (i, v) in other.entries.iter().enumerate() {
                // Look up by the hash `other` stored: no rehashing of the bytes.
                let (j, new) = self
                    .keys
                    .find_or_insert(&Probe::with_hash(other.keys.get(i), other.keys.hash(i)));
                if new {
                    self.entries.push(from_other(v));
                } else {
                    // Undo the `fb` added above: this token is present on both sides.
                    let e = &mut self.entries[j];
                    e.tf = e.tf.saturating_sub(fb).saturating_add(v.tf);
                    e.df = e.df.saturating_sub(fdb).saturating_add(v.df);
                }
            }
        }
        self.pruned_max = fa.saturating_add(fb);
        self.pruned_df_max = fda.saturating_add(fdb);
        self.maybe_prune();
    }

    fn maybe_prune(&mut self) {
        let Some(cap) = self.cap else { return };
        if self.len() <= cap.saturating_mul(2) {
            return;
        }
        let keyed = |i: usize| (self.keys.get(i), self.entries[i].tf);
        // The first token ranked after the `cap` kept ones; tokens are distinct, so the order is total.
        let edge = {
            let mut items: Vec<usize> = (0..self.len()).collect();
            items.select_nth_unstable_by(cap, |&a, &b| rank(keyed(a), keyed(b)));
            keyed(items[cap])
        };
        let (mut pm, mut pdm) = (self.pruned_max, self.pruned_df_max);
        let mut keys = Interner::with_capacity(cap, 0);
        let mut entries = Vec::with_capacity(cap);
        for (i, e) in self.entries.iter().enumerate() {
            if rank(keyed(i), edge) == Ordering::Less {
                keys.push_unique(&Probe::with_hash(self.keys.get(i), self.keys.hash(i)));
                entries.push(*e);
            } else {
                pm = pm.max(e.tf);
                pdm = pdm.max(e.df);
            }
        }
        self.keys = keys;
        self.entries = entries;
        self.pruned_max = pm;
        self.pruned_df_max = pdm;
    }

    /// Number of documents counted.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// Number of distinct tokens.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no token was counted.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// (term frequency, document frequency) of a token.
    pub fn get(&self, token: &str) -> Option<(u64, u64)> {
        self.keys
            .find(&Probe::new(token))
            .map(|i| (self.entries[i].tf, self.entries[i].df))
    }

    /// (token, tf, df) in arbitrary order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64, u64)> + '_ {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (self.keys.get(i), e.tf, e.df))
    }

    /// (token, tf, df) of the tokens that pass `keep`, ranked by (tf desc, token asc: the vocabulary order), at
    /// most `limit` of them (a partial selection first, so the top few of many tokens cost no full sort).
    pub fn ranked(
        &self,
        keep: impl Fn(&str, u64, u64) -> bool,
        limit: Option<usize>,
    ) -> Vec<(&str, u64, u64)> {
        let mut items: Vec<(&str, u64, u64)> =
            self.iter().filter(|&(t, tf, df)| keep(t, tf, df)).collect();
        let cmp = |a: &(&str, u64, u64), b: &(&str, u64, u64)| rank((a.0, a.1), (b.0, b.1));
        if let Some(k) = limit {
            if k < items.len() {
                items.select_nth_unstable_by(k, cmp);
                items.truncate(k);
            }
        }
        items.sort_unstable_by(cmp);
        items
    }

    /// The `n` most frequent tokens (all when `None`) as (token, tf, df), in the vocabulary's rank order.
    pub fn most_common(&self, n: Option<usize>) -> Vec<(&str, u64, u64)> {
        self.ranked(|_, _, _| true, n)
    }

    /// (token, tf, df) sorted by token (byte order).
    pub fn sorted(&self) -> Vec<(&str, u64, u64)> {
        let mut v: Vec<(&str, u64, u64)> = self.iter().collect();
        v.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        v
    }

    /// JSON document `{"format":"textprep.counts","format_version":1,"n_docs":..,"pruned_max":..,
    /// "pruned_df_max":..,"tokens":[[token,tf,df],...]}`, tokens sorted, byte-stable.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(64 + self.len() * 24);
        let _ = write!(
            s,
            "{{\"format\":\"{COUNTS_FORMAT}\",\"format_version\":{COUNTS_FORMAT_VERSION},\"n_docs\":{},\
             \"pruned_max\":{},\"pruned_df_max\":{},\"tokens\":[",
            self.n_docs, self.pruned_max, self.pruned_df_max
        );
        for (i, (t, tf, df)) in self.sorted().into_iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push('[');
            s.push_str(&serde_json::to_string(t).unwrap_or_else(|_| "\"\"".into()));
            let _ = write!(s, ",{tf},{df}]");
        }
        s.push_str("]}");
        s
    }

    /// Parse [`Counts::to_json`] output; a malformed document is an `Error::Artifact` naming what is wrong.
    pub fn from_json(s: &str) -> Result<Counts> {
        let bad = |m: String| Error::Artifact(format!("counts: {m}"));
        let doc: Value = serde_json::from_str(s).map_err(|e| {
            let hint = if e.is_eof() { " (truncated)" } else { "" };
            bad(format!("not valid JSON{hint}: {e}"))
        })?;
        let obj = doc
            .as_object()
            .ok_or_else(|| bad("the document is not a JSON object".into()))?;
        let field = |k: &str| {
            obj.get(k)
                .ok_or_else(|| bad(format!("missing field '{k}'")))
        };
        let uint = |k: &str| -> Result<u64> {
            let v = field(k)?;
            v.as_u64()
                .ok_or_else(|| bad(format!("{k} is not a whole number: {v}")))
        };
        match field("format")?.as_str() {
            Some(COUNTS_FORMAT) => {}
            other => {
                return Err(bad(format!(
                    "format is {other:?}, expected \"{COUNTS_FORMAT}\""
                )))
            }
        }
        let version = uint("format_version")?;
        if version > COUNTS_FORMAT_VERSION {
            return Err(Error::ArtifactVersion {
                found: version,
                supported: COUNTS_FORMAT_VERSION,
            });
        }
        if version == 0 {
            return Err(bad("format_version 0 does not exist".into()));
        }
        let n_docs = uint("n_docs")?;
        let pruned_max = uint("pruned_max")?;
        let pruned_df_max = match obj.get("pruned_df_max") {
            None => 0,
            Some(_) => uint("pruned_df_max")?,
        };
        let tokens = field("tokens")?
            .as_array()
            .ok_or_else(|| bad("tokens must be a list".into()))?;
        let mut keys = Interner::with_capacity(tokens.len(), 0);
        let mut entries = Vec::with_capacity(tokens.len());
        for (i, row) in tokens.iter().enumerate() {
            let triple = row
                .as_array()
                .filter(|a| a.len() == 3)
                .ok_or_else(|| bad(format!("tokens[{i}] is not [token, tf, df]: {row}")))?;
            let t = triple[0]
                .as_str()
                .ok_or_else(|| bad(format!("tokens[{i}][0] is not a string: {}", triple[0])))?;
            let tf = triple[1]
                .as_u64()
                .ok_or_else(|| bad(format!("tokens[{i}][1] (tf) is not a count: {}", triple[1])))?;
            let df = triple[2]
                .as_u64()
                .ok_or_else(|| bad(format!("tokens[{i}][2] (df) is not a count: {}", triple[2])))?;
            if df == 0 || df > tf || df > n_docs {
                return Err(bad(format!(
                    "tokens[{i}] '{t}': df {df} must be in 1..=min(tf {tf}, n_docs {n_docs})"
                )));
            }
            if !keys.find_or_insert(&Probe::new(t)).1 {
                return Err(bad(format!("duplicate token '{t}' at tokens[{i}]")));
            }
            entries.push(Entry {
                tf,
                df,
                last_doc: 0,
            });
        }
        Ok(Counts {
            keys,
            entries,
            n_docs,
            pruned_max,
            pruned_df_max,
            cap: None,
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn counts_of(docs: &[&str]) -> Counts {
        let mut c = Counts::new();
        for d in docs {
            c.add_doc(d.split_whitespace());
        }
        c
    }

    pub(crate) const DOCS: [&str; 5] = [
        "the cat sat on the mat",
        "the dog sat",
        "a cat and a dog",
        "the the the",
        "zebra",
    ];

    #[test]
    fn tf_and_df() {
        let c = counts_of(&DOCS);
        assert_eq!(c.n_docs(), 5);
        assert_eq!(c.get("the"), Some((6, 3)));
        assert_eq!(c.get("a"), Some((2, 1)));
        assert_eq!(c.get("cat"), Some((2, 2)));
        assert_eq!(c.get("nope"), None);
        assert_eq!(c.len(), 9);
    }

    #[test]
    fn merge_is_order_independent() {
        let whole = counts_of(&DOCS);
        let a = counts_of(&DOCS[..2]);
        let b = counts_of(&DOCS[2..4]);
        let c = counts_of(&DOCS[4..]);
        let mut ab_c = a.clone();
        ab_c.merge(&b);
        ab_c.merge(&c);
        let mut bc = b.clone();
        bc.merge(&c);
        let mut a_bc = a.clone();
        a_bc.merge(&bc);
        let mut c_ba = c.clone();
        c_ba.merge(&b);
        c_ba.merge(&a);
        assert_eq!(ab_c, whole);
        assert_eq!(a_bc, whole);
        assert_eq!(c_ba, whole);
        // Counting after a merge still counts df once per document.
        let mut m = a.clone();
        m.merge(&b);
        m.add_doc("the the dog".split(' '));
        assert_eq!(m.get("the"), Some((8, 4)));
        assert_eq!(m.get("dog"), Some((3, 3)));
    }

    #[test]
    fn json_round_trip_and_errors() {
        let c = counts_of(&DOCS);
        let j = c.to_json();
        assert!(j.starts_with(
            "{\"format\":\"textprep.counts\",\"format_version\":1,\"n_docs\":5,\"pruned_max\":0"
        ));
        assert!(j.contains("[\"a\",2,1],[\"and\",1,1]"), "{j}");
        let back = Counts::from_json(&j).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.to_json(), j);
        // Byte-stable whatever the insertion order.
        let mut rev = DOCS;
        rev.reverse();
        assert_eq!(counts_of(&rev).to_json(), j);
        let unicode = counts_of(&["caf\u{e9} \"q\" \\"]);
        assert_eq!(Counts::from_json(&unicode.to_json()).unwrap(), unicode);

        let err = |s: &str| match Counts::from_json(s) {
            Err(Error::Artifact(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(err(&j[..j.len() - 3]).contains("truncated"));
        assert!(err("[]").contains("not a JSON object"));
        assert!(err(r#"{"format":"x"}"#).contains("format"));
        assert!(err(
            r#"{"format":"textprep.counts","format_version":1,"pruned_max":0,"tokens":[]}"#
        )
        .contains("n_docs"));
        let base =
            r#"{"format":"textprep.counts","format_version":1,"n_docs":2,"pruned_max":0,"tokens":"#;
        assert!(err(&format!("{base}[[\"a\",1]]}}")).contains("tokens[0]"));
        assert!(err(&format!("{base}[[\"a\",1,2]]}}")).contains("df 2"));
        assert!(err(&format!("{base}[[\"a\",-1,1]]}}")).contains("tf"));
        assert!(err(&format!("{base}[[\"a\",1,1],[\"a\",2,1]]}}")).contains("duplicate token 'a'"));
        assert!(matches!(
            Counts::from_json(r#"{"format":"textprep.counts","format_version":9}"#),
            Err(Error::ArtifactVersion { found: 9, .. })
        ));
    }

    #[test]
    fn capped_counts_keep_heavy_tokens_with_bounded_error() {
        // A Zipf-like stream with many singletons.
        let mut exact = Counts::new();
        let mut capped = Counts::with_cap(4);
        let mut docs: Vec<String> = Vec::new();
        for d in 0..200 {
            let mut toks = vec!["a".to_string(); 5];
            toks.extend(vec!["b".to_string(); 3]);
            if d % 2 == 0 {
                toks.push("c".into());
            }
            toks.push(format!("rare{d}"));
            toks.push(format!("rarer{}", d * 7));
            docs.push(toks.join(" "));
        }
        for d in &docs {
            exact.add_doc(d.split(' '));
            capped.add_doc(d.split(' '));
        }
        assert!(capped.len() <= 8);
        let pm = capped.pruned_max();
        let pdm = capped.pruned_df_max();
        assert!(pm > 0);
        for (t, tf, df) in exact.iter() {
            match capped.get(t) {
                Some((ctf, cdf)) => {
                    assert!(tf <= ctf && ctf <= tf + pm, "{t}: {tf} vs {ctf} (+{pm})");
                    assert!(df <= cdf && cdf <= df + pdm, "{t}: {df} vs {cdf} (+{pdm})");
                }
                None => assert!(tf <= pm, "{t} with tf {tf} > pruned_max {pm} was dropped"),
            }
        }
        // Tokens that were never pruned are exact.
        for t in ["a", "b"] {
            assert_eq!(capped.get(t), exact.get(t), "{t}");
        }
        // Merging capped shards keeps the guarantee.
        let mut s1 = Counts::with_cap(4);
        let mut s2 = Counts::with_cap(4);
        for (i, d) in docs.iter().enumerate() {
            let shard = if i % 3 == 0 { &mut s1 } else { &mut s2 };
            shard.add_doc(d.split(' '));
        }
        s1.merge(&s2);
        let pm = s1.pruned_max();
        for (t, tf, _) in exact.iter() {
            match s1.get(t) {
                Some((ctf, _)) => assert!(tf <= ctf && ctf <= tf + pm),
                None => assert!(tf <= pm),
            }
        }
        assert_eq!(s1.n_docs(), 200);
    }

    #[test]
    fn merge_and_prune_match_a_reference_on_many_tokens() {
        // Deterministic pseudo-random documents over a vocabulary that makes the table grow and rehash.
        let mut x: u64 = 0x1234_5678;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let docs: Vec<String> = (0..400)
            .map(|_| {
                (0..30)
                    .map(|_| {
                        let r = next();
                        let n = r % 5000;
                        match r >> 60 {
                            0 => format!("long-token-number-{n}"),
                            1 => format!("\u{e9}{n}"),
                            _ => format!("{n}"),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let whole = counts_of(&refs);
        let mut merged = Counts::new();
        for part in refs.chunks(37) {
            merged.merge(&counts_of(part));
        }
        assert_eq!(merged, whole);
        assert_eq!(merged.to_json(), whole.to_json());
        let mut reversed = Counts::new();
        for part in refs.chunks(37).rev() {
            reversed.merge(&counts_of(part));
        }
        assert_eq!(reversed, whole);
        // Pruning keeps exactly the `cap` best-ranked tokens when nothing was pruned before.
        let mut capped = whole.clone();
        capped.set_cap(Some(100));
        assert_eq!(capped.len(), 100);
        let mut ranked: Vec<(&str, u64, u64)> = whole.iter().collect();
        ranked.sort_by(|a, b| rank((a.0, a.1), (b.0, b.1)));
        for (t, tf, df) in &ranked[..100] {
            assert_eq!(capped.get(t), Some((*tf, *df)));
        }
        assert_eq!(capped.pruned_max(), ranked[100].1);
        // The pruned table still finds, inserts and merges.
        capped.add_doc(["brand-new", "0"].into_iter());
        assert_eq!(
            capped.get("brand-new"),
            Some((capped.pruned_max() + 1, capped.pruned_df_max() + 1))
        );
    }
}
