//! The one versioned artifact: a JSON document holding the format, versions, config and learned state.
//! `save`/`load`, `to_json`/`from_json` and pickle all derive from it.

use serde_json::{json, Value};

use crate::config::Config;
use crate::hashing::xxh3_64;
use crate::pipeline::Pipeline;
use crate::vocab::Vocab;
use crate::{Error, Result};

/// The artifact's `format` tag.
pub const FORMAT: &str = "textprep.pipeline";
/// The newest artifact format version this build reads and the one it writes.
pub const FORMAT_VERSION: u64 = 1;

/// Remove from `v` every leaf equal to the same leaf of `default` (so fields added later with a default that keeps
/// the old behaviour do not change the fingerprint of an existing artifact).
fn strip_defaults(v: &mut Value, default: &Value) {
    if let (Value::Object(m), Value::Object(d)) = (v, default) {
        m.retain(|k, val| match d.get(k) {
            Some(dv) if dv == val => false,
            Some(dv) if val.is_object() => {
                strip_defaults(val, dv);
                !val.as_object().is_some_and(|o| o.is_empty())
            }
            _ => true,
        });
    }
}

/// Behaviour fingerprint: a stable hash of the format version, the non-default config leaves (the informational
/// `preset` name excluded) and the vocabulary tokens.
pub fn fingerprint(p: &Pipeline) -> String {
    let mut cfg: Value = serde_json::from_str(&p.config().to_json()).expect("config is JSON");
    let default: Value =
        serde_json::from_str(&Config::default().to_json()).expect("config is JSON");
    if let Value::Object(m) = &mut cfg {
        m.remove("preset");
    }
    strip_defaults(&mut cfg, &default);
    let mut buf = format!("{FORMAT}/{FORMAT_VERSION}\n{cfg}\n");
    if let Some(v) = p.vocab() {
        for t in v.tokens() {
            buf.push_str(t);
            buf.push('\u{0}');
        }
    }
    format!("{:016x}", xxh3_64(buf.as_bytes(), 0))
}

/// Serialize a pipeline to the artifact JSON.
pub fn to_json(p: &Pipeline) -> String {
    let vocab = p.vocab().map(|v| {
        let mut m = serde_json::Map::new();
        m.insert(
            "tokens".into(),
            json!(v.tokens().iter().map(|t| &**t).collect::<Vec<&str>>()),
        );
        m.insert("n_docs".into(), json!(v.n_docs()));
        m.insert("df".into(), json!(v.dfs()));
        if p.config().vocab.keep_counts {
            m.insert("tf".into(), json!(v.tfs()));
        }
        Value::Object(m)
    });
    let doc = json!({
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "textprep_version": env!("CARGO_PKG_VERSION"),
        "unicode_version": crate::UNICODE_VERSION,
        "config": serde_json::from_str::<Value>(&p.config().to_json()).expect("config is JSON"),
        "state": {"vocab": vocab},
        "fingerprint": fingerprint(p),
    });
    serde_json::to_string(&doc).expect("artifact serializes")
}

fn field<'a>(obj: &'a Value, path: &str, key: &str) -> Result<&'a Value> {
    obj.get(key)
        .ok_or_else(|| Error::Artifact(format!("missing field '{path}{key}'")))
}

fn u64_list(v: Option<&Value>, what: &str, n: usize) -> Result<Option<Vec<u64>>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => {
            if a.len() != n {
                return Err(Error::Artifact(format!(
                    "state.vocab.{what} has {} entries for {n} tokens",
                    a.len()
                )));
            }
            a.iter()
                .enumerate()
                .map(|(i, x)| {
                    x.as_u64().ok_or_else(|| {
                        Error::Artifact(format!("state.vocab.{what}[{i}] is not a count: {x}"))
                    })
                })
                .collect::<Result<Vec<u64>>>()
                .map(Some)
        }
        Some(other) => Err(Error::Artifact(format!(
            "state.vocab.{what} must be a list, got {other}"
        ))),
    }
}

/// Parse an artifact, checking format, version, config, vocabulary and fingerprint.
pub fn from_json(s: &str) -> Result<Pipeline> {
    let doc: Value = serde_json::from_str(s).map_err(|e| {
        let hint = if e.is_eof() {
            " (the file is truncated)"
        } else {
            ""
        };
        Error::Artifact(format!("not valid JSON{hint}: {e}"))
    })?;
    if !doc.is_object() {
        return Err(Error::Artifact("the document is not a JSON object".into()));
    }
    match field(&doc, "", "format")?.as_str() {
        Some(FORMAT) => {}
        other => {
            return Err(Error::Artifact(format!(
                "format is {other:?}, expected \"{FORMAT}\" (not a textprep pipeline)"
            )))
        }
    }
    let version = field(&doc, "", "format_version")?
        .as_u64()
        .ok_or_else(|| Error::Artifact("format_version is not a whole number".into()))?;
    if version > FORMAT_VERSION {
        return Err(Error::ArtifactVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(Error::Artifact("format_version 0 does not exist".into()));
    }
    let config_text = field(&doc, "", "config")?.to_string();
    // parsed once, checked once (by the components Pipeline::new compiles)
    let mut pipe = Pipeline::from_config_json(&config_text)
        .map_err(|e| Error::Artifact(format!("config: {e}")))?;
    let config = pipe.config().clone();
    let state = field(&doc, "", "state")?;
    match state.get("vocab") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let tokens = field(v, "state.vocab.", "tokens")?
                .as_array()
                .ok_or_else(|| Error::Artifact("state.vocab.tokens must be a list".into()))?;
            let mut toks = Vec::with_capacity(tokens.len());
            for (i, t) in tokens.iter().enumerate() {
                toks.push(
                    t.as_str()
                        .ok_or_else(|| {
                            Error::Artifact(format!("state.vocab.tokens[{i}] is not a string: {t}"))
                        })?
                        .to_owned(),
                );
            }
            let n = toks.len();
            let df = u64_list(v.get("df"), "df", n)?;
            let tf = u64_list(v.get("tf"), "tf", n)?;
            let n_docs = v.get("n_docs").and_then(Value::as_u64).unwrap_or(0);
            let mut vocab = Vocab::from_tokens(toks, &config.vocab)?;
            vocab.set_stats(tf, df, n_docs);
            pipe = pipe.with_vocab(vocab);
        }
    }
    let stored = field(&doc, "", "fingerprint")?
        .as_str()
        .ok_or_else(|| Error::Artifact("fingerprint is not a string".into()))?;
    let computed = fingerprint(&pipe);
    if stored != computed {
        return Err(Error::Artifact(format!(
            "fingerprint mismatch (stored {stored}, computed {computed}): the config or vocabulary was modified \
             or corrupted after saving"
        )));
    }
    Ok(pipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROZEN: &str = include_str!("../../../tests/data/artifacts/pipeline_v1.json");

    #[test]
    fn frozen_v1_artifact_loads_and_round_trips() {
        let p = from_json(FROZEN).expect("the frozen v1 artifact must keep loading");
        assert_eq!(p.config().vocab.num_oov_buckets, 2);
        let again = from_json(&to_json(&p)).unwrap();
        assert_eq!(fingerprint(&again), fingerprint(&p));
    }

    #[test]
    fn frozen_v1_golden_ids() {
        let golden: Value = serde_json::from_str(include_str!(
            "../../../tests/data/golden/pipeline_v1_outputs.json"
        ))
        .unwrap();
        let p = from_json(FROZEN).unwrap();
        let texts: Vec<&str> = golden["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let e = p
            .encode_batch(&texts, None, Some(true), &mut || Ok(()))
            .unwrap();
        let want: Vec<i32> = golden["ids"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_i64().unwrap() as i32)
            })
            .collect();
        assert_eq!(e.ids, want);
        let want_shapes: Vec<i32> = golden["shapes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_i64().unwrap() as i32)
            })
            .collect();
        assert_eq!(e.shapes.unwrap(), want_shapes);
    }

    #[test]
    fn newer_version_truncated_and_tampered() {
        let newer = FROZEN.replace("\"format_version\": 1", "\"format_version\": 9");
        assert_eq!(
            from_json(&newer).unwrap_err(),
            Error::ArtifactVersion {
                found: 9,
                supported: 1
            }
        );
        let cut = &FROZEN[..FROZEN.len() / 2];
        assert!(from_json(cut)
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        let tampered = FROZEN.replacen("\"fox\"", "\"f0x\"", 1);
        assert!(from_json(&tampered)
            .unwrap_err()
            .to_string()
            .contains("fingerprint mismatch"));
        let dup = FROZEN.replacen("\"fox\"", "\"the\"", 1);
        assert!(from_json(&dup)
            .unwrap_err()
            .to_string()
            .contains("duplicate token 'the'"));
    }

    #[test]
    fn defaults_do_not_enter_the_fingerprint() {
        let a = Pipeline::new(Config::default()).unwrap();
        let c = Config {
            preset: Some("x".into()),
            ..Config::default()
        };
        assert_eq!(fingerprint(&a), fingerprint(&Pipeline::new(c).unwrap()));
        let mut c = Config::default();
        c.normalize.case = crate::config::CaseMode::Keep;
        assert_ne!(fingerprint(&a), fingerprint(&Pipeline::new(c).unwrap()));
    }
}
