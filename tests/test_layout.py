"""The house rules of the layout (docs/architecture.md): no import circles between modules, no Pipeline subclasses,
the bridge stays a bridge, no source file above ~1,000 lines but generated tables."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import textprep as tp

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "python" / "textprep"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree` but those under `if TYPE_CHECKING:` (imports for annotations only)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def _imports(path: Path) -> set[str]:
    """Every textprep module `path` imports at run time, at any depth of the file (function-level imports included;
    not those for type checkers only)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "textprep")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "textprep":
                continue
            for alias in node.names:  # `from . import x` imports the submodule x when there is one
                sub = f"{target}.{alias.name}"
                found.add(sub if _exists(sub) else target)
    found.discard(name)
    return {m for m in found if _exists(m) and m != "textprep._core"}


def _exists(module: str) -> bool:
    rel = PKG.parent / Path(*module.split("."))
    return any(rel.with_suffix(s).exists() for s in (".py", ".pyi")) or (rel / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PKG.rglob("*.py")}


def test_no_two_modules_import_each_other() -> None:
    graph = _graph()
    assert len(graph) > 40
    # strongly connected components (Tarjan): any with two or more modules is an import circle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"


@pytest.mark.parametrize(
    "module",
    sorted(
        m
        for m in (_module_name(p) for p in PKG.rglob("*.py"))
        if not m.startswith(("textprep.keras", "textprep.bench.__main__"))
    ),
)
def test_every_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    # a circle that only bites when a module is the first one imported shows up here
    run = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]


def test_no_pipeline_subclasses() -> None:
    for p in PKG.rglob("*.py"):
        name = _module_name(p)
        if name.startswith(("textprep.keras", "textprep.bench.__main__")):
            continue
        mod = importlib.import_module(name)
        for obj in vars(mod).values():
            if isinstance(obj, type) and obj is not tp.Pipeline and issubclass(obj, tp.Pipeline):
                raise AssertionError(
                    f"{name}.{obj.__name__} subclasses Pipeline; pass a token source instead"
                )


def _code_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def test_source_files_stay_readable() -> None:
    generated = {"tables.rs", "emoji_table.rs"}
    big = [
        (str(p.relative_to(ROOT)), n)
        for p in [*PKG.rglob("*.py"), *(ROOT / "rust").rglob("*.rs")]
        if "target" not in p.parts
        and p.name not in generated
        and (n := len(p.read_text().splitlines())) > 1000
    ]
    assert not big, f"files above 1,000 lines (split them by concern): {big}"


def test_bridge_is_thin() -> None:
    bridge = sorted((ROOT / "rust" / "textprep-py" / "src").glob("*.rs"))
    total = sum(_code_lines(p) for p in bridge)
    # conversions around ~45 engine entries; logic belongs in rust/textprep-core (see docs/architecture.md)
    assert total <= 900, f"the bridge has {total} non-blank lines"
