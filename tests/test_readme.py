"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert python_blocks(), "README.md lost its Python example"


def test_readme_python_examples_run(capsys):
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "['the', 'final', 'strasse']" in out
    assert "['Ｔｈｅ', 'ﬁnal', 'Straße']" in out
    assert "(9, 3) 0.43" in out and "(3, 1)" in out


def test_readme_quickstart_commands_are_the_ci_commands():
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = re.search(
        r"Install the test dependencies and run the tests:\n\n```bash\n(.*?)\n```", text
    ).group(1)
    assert test_cmd in ci
