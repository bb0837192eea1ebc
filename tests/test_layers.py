"""The stage layout holds: import-linter's layers contract (pyproject.toml) passes, a planted upward import makes
it fail, no two synthlib modules import each other in a cycle, and no module outgrows the size limit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from .conftest import ROOT

LINT = Path(sys.executable).parent / "lint-imports"
MAX_LINES = 450
# Modules over MAX_LINES, each with the reason it may stay so for now.
OVERSIZED = {
    "report/_context.py": "the literate-report issue splits ReportContext into template data, tables and figures",
}
# The report modules that read results.json (the edge): their string subscripts are not counted.
RESULTS_READERS = {"report/_narrative.py", "report/_findings.py", "report/_context.py"}


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(root / "pyproject.toml")], cwd=root, capture_output=True,
                          text=True, timeout=300)


def test_the_layers_contract_is_kept():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 kept, 0 broken" in run.stdout


@pytest.mark.slow
def test_a_planted_upward_import_breaks_the_contract(tmp_path: Path):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "synthlib", copy / "synthlib", ignore=shutil.ignore_patterns("__pycache__", "templates"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    cleaning = copy / "synthlib" / "prepare" / "_cleaning.py"
    cleaning.write_text(cleaning.read_text() + "\nfrom synthlib.decide import decide  # planted: prepare -> decide\n")
    env_path = f"{copy}"
    run = subprocess.run([str(LINT), "--config", str(copy / "pyproject.toml")], cwd=copy, capture_output=True,
                         text=True, timeout=300, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1, run.stdout[-3000:]
    assert "BROKEN" in run.stdout and "synthlib.prepare._cleaning -> synthlib.decide" in run.stdout


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("synthlib")
    modules = sorted(graph.modules)
    packages = {m for m in modules if (ROOT / m.replace(".", "/") / "__init__.py").is_file()}
    # A package's __init__ re-exports its own private modules; the cycles that matter are between modules.
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i not in packages or i == "synthlib"}
             for m in modules if m not in packages}
    edges = {m: {t for t in targets if t in edges} for m, targets in edges.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for module in edges:
        if module not in index:
            visit(module)
    assert not cycles, cycles


def test_no_module_over_the_size_limit_without_a_stated_reason():
    package = ROOT / "synthlib"
    sizes = {str(p.relative_to(package)): len(p.read_text().splitlines()) for p in package.rglob("*.py")}
    over = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert set(over) <= set(OVERSIZED), {n: over[n] for n in set(over) - set(OVERSIZED)}
    assert all(name in sizes for name in OVERSIZED)  # an exception for a module that no longer exists is stale


SUBSCRIPT = re.compile(r"""\["[^"]*"\]|\['[^']*'\]|\.get\(["'][^"']*["']""")
CHAINED = re.compile(r"""(?:\["[^"]*"\]|\['[^']*'\]|\.get\([^()]*\)){4,}""")
MAX_SUBSCRIPTS = 405  # half of the ~810 before the typed hand-offs (issue 24), counted as `grep -o` counts them


def test_stages_hand_on_typed_results_not_nested_string_keys():
    """Outside the report modules that read results.json (the edge), string subscripts stay at most half of what
    they were, and no line chains four of them."""
    package = ROOT / "synthlib"
    count, chained = 0, []
    for path in sorted(package.rglob("*.py")):
        if str(path.relative_to(package)) in RESULTS_READERS:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            count += len(SUBSCRIPT.findall(line))
            if CHAINED.search(line):
                chained.append(f"{path.relative_to(package)}:{number}")
    assert count <= MAX_SUBSCRIPTS, f"{count} string subscripts outside the report modules"
    assert not chained, chained
