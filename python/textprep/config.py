"""Pipeline configuration: plain data, every leaf settable as a flat keyword, and the compat presets.

The Rust engine owns the schema and validates it; this module maps flat keywords to their section and builds
the presets that reproduce peer libraries' tokens exactly.

>>> from textprep.config import build_config
>>> build_config(case="keep", maxlen=8)["normalize"]["case"]
'keep'
"""

from __future__ import annotations

import copy
import difflib
import json
import warnings
from functools import cache
from typing import Any

from . import _core
from .errors import ConfigError

SECTIONS = ("normalize", "tokenize", "vocab", "hashing", "encode")

#: All 32 ASCII punctuation characters: what Keras ``TextVectorization`` strips by default.
ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

#: Keywords whose name differs from their config leaf. ``surrogates`` is the lone-surrogate policy, whose leaf keeps
#: its v1 artifact name ``normalize.errors`` (so artifacts and fingerprints do not change).
ALIASES = {"surrogates": ("normalize", "errors")}

#: Old keyword spellings, accepted for one release with a ``DeprecationWarning``: old name -> new name.
DEPRECATED = {"k": "num_hashes", "errors": "surrogates"}

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # scikit-learn CountVectorizer().build_analyzer(): str.lower() then re.findall(r"(?u)\b\w\w+\b")
    "sklearn": {
        "normalize": {"unicode": "none", "case": "lower", "strip_control": False},
        "tokenize": {"split": "pyword.v1", "min_len": 2},
    },
    # Keras 3 TextVectorization(standardize="lower_and_strip_punctuation", split="whitespace")
    "keras": {
        "normalize": {
            "unicode": "none",
            "case": "lower_ascii",
            "strip_control": False,
            "remove_chars": ASCII_PUNCTUATION,
        },
        "tokenize": {"split": "ascii_whitespace.v1"},
    },
    # gensim.utils.simple_preprocess(doc, deacc=False, min_len=2, max_len=15)
    "gensim": {
        "normalize": {"unicode": "none", "case": "lower", "strip_control": False},
        "tokenize": {"split": "pyalpha.v1", "min_len": 2, "max_len": 15, "overlong": "drop"},
    },
    # HF tokenizers BertNormalizer(lowercase=True) + BertPreTokenizer (bert-base-uncased)
    "bert": {
        "normalize": {
            "unicode": "none",
            "strip_control": True,
            "whitespace": "normalize",
            "pad_cjk": True,
            "accents": "strip_all_marks",
            "case": "lower_char",
        },
        "tokenize": {"split": "bert.v1"},
    },
}

#: Hash settings that reproduce the peers' hashed ids when a preset is combined with ``hash=...``.
PRESET_HASH: dict[str, dict[str, Any]] = {
    "sklearn": {"hash": "murmur3_32", "layout": "raw", "signed": True},
    "keras": {"hash": "farmhash64", "layout": "raw"},
}


@cache
def _default_json() -> str:
    return str(_core.default_config_json())


def default_config() -> dict[str, Any]:
    """The default configuration, every leaf present.

    >>> default_config()["tokenize"]["split"]
    'words.v1'
    """
    return dict(json.loads(_default_json()))


@cache
def _leaf_sections() -> dict[str, str]:
    out: dict[str, str] = {}
    for section, leaves in default_config().items():
        if isinstance(leaves, dict):
            for leaf in leaves:
                if leaf in out:  # pragma: no cover - the schema keeps leaves unique
                    raise AssertionError(f"config leaf {leaf!r} is not unique")
                out[leaf] = section
    return out


def _unknown(name: str) -> ConfigError:
    names = sorted({*_leaf_sections(), *ALIASES, "preset"} - set(DEPRECATED))
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return ConfigError(f"unknown option {name!r}{hint} (options: {', '.join(names)})")


def merge_options(config: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    """Merge a (possibly partial, nested) config with flat keyword options, without validating: the engine
    parses and checks the result once, when the pipeline is compiled.

    >>> merge_options({"tokenize": {"split": "whitespace.v1"}}, min_freq=2)
    {'tokenize': {'split': 'whitespace.v1'}, 'vocab': {'min_freq': 2}}
    """
    cfg: dict[str, Any] = copy.deepcopy(config) if config else {}
    if not isinstance(cfg, dict):
        raise ConfigError(f"config must be a dict of sections {SECTIONS}, got {type(config).__name__}")
    sections = _leaf_sections()
    for name, value in options.items():
        if name == "preset":
            cfg["preset"] = value
            continue
        if name in DEPRECATED:
            warnings.warn(
                f"{name}= is deprecated, use {DEPRECATED[name]}= (the old spelling goes in the next release)",
                DeprecationWarning,
                stacklevel=3,
            )
            name = DEPRECATED[name]
        if name in ALIASES:
            section, leaf = ALIASES[name]
        elif name in sections:
            section, leaf = sections[name], name
        else:
            raise _unknown(name)
        if isinstance(value, tuple):
            value = list(value)
        cfg.setdefault(section, {})[leaf] = value
    return cfg


def config_json(config: dict[str, Any]) -> str:
    """``config`` as the JSON the engine parses (``ConfigError`` when a value is not plain data).

    >>> config_json({"encode": {"maxlen": 8}})
    '{"encode": {"maxlen": 8}}'
    """
    try:
        return json.dumps(config)
    except (TypeError, ValueError) as e:
        raise ConfigError(
            f"config values must be plain data (str, int, float, bool, list, None): {e}"
        ) from None


def build_config(config: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    """Merge a (possibly partial, nested) config with flat keyword options and validate it in the engine.

    Returns the full config with every leaf present.

    >>> build_config({"tokenize": {"split": "whitespace.v1"}}, min_freq=2)["vocab"]["min_freq"]
    2
    """
    return dict(json.loads(_core.check_config_json(config_json(merge_options(config, **options)))))


def preset_config(name: str, **overrides: Any) -> dict[str, Any]:
    """The config of a compat preset, with flat keyword overrides.

    ``hash=`` with ``"murmur3_32"`` on the sklearn preset or ``"farmhash64"`` on the keras preset also selects the
    peer's exact id layout (``HashingVectorizer`` columns and signs, Keras ``Hashing`` bins).

    >>> preset_config("sklearn")["tokenize"]["split"]
    'pyword.v1'
    """
    return build_config(preset_options(name, **overrides))


def preset_options(name: str, **overrides: Any) -> dict[str, Any]:
    """The (partial) config of a compat preset with the overrides merged in, not yet validated.

    >>> preset_options("keras", hash="farmhash64")["hashing"]
    {'hash': 'farmhash64', 'layout': 'raw'}
    """
    if name not in PRESETS:
        close = difflib.get_close_matches(str(name), list(PRESETS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown preset {name!r}{hint} (presets: {', '.join(PRESETS)})")
    cfg: dict[str, Any] = copy.deepcopy(PRESETS[name])
    cfg["preset"] = name
    compat = PRESET_HASH.get(name)
    if compat and overrides.get("hash") == compat["hash"]:
        for key, value in compat.items():
            overrides.setdefault(key, value)
    return merge_options(cfg, **overrides)


__all__ = [
    "ASCII_PUNCTUATION",
    "PRESETS",
    "build_config",
    "config_json",
    "default_config",
    "merge_options",
    "preset_config",
    "preset_options",
]
