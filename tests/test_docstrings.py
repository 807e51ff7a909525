"""Every public name's docstring example runs (doctest over the installed package)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import textprep

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(textprep.__path__, "textprep.")
    if not m.name.split(".")[-1].startswith("_")
)


@pytest.mark.parametrize("name", ["textprep", *MODULES])
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_public_names_have_docstrings_with_examples():
    missing = []
    for name in textprep.__all__:
        obj = getattr(textprep, name)
        if callable(obj) and not isinstance(obj, dict):
            doc = obj.__doc__ or ""
            if ">>>" not in doc:
                missing.append(name)
    assert not missing, f"public names without a runnable example: {missing}"
