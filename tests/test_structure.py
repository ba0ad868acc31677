"""The house a newcomer can see: no import circles, small modules, a short top room, one parser, messages through logging."""

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "experiments"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports, read from the source (imports inside functions too)."""
    paths = [*PACKAGE.rglob("*.py"), ROOT / "rewards.py"]
    modules = {module_name(path): path for path in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
                imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {m for m in imported if m in modules and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of imports, if any (depth-first search with a path stack)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_circle_in_the_project():
    graph = import_graph()
    package_inits = {name for name in graph if (PACKAGE / Path(*name.split(".")[1:]) / "__init__.py").exists()}
    # A package importing its own submodules is how a package works, not a circle.
    for package in package_inits:
        graph[package] = {m for m in graph[package] if not m.startswith(package + ".")}
    assert find_cycle(graph) is None, f"import circle: {' → '.join(find_cycle(graph))}"


MAX_TOP_MODULES = 8  # experiments/: the commands, the parser and files; the pipeline lives in training/ and evaluation/
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 60
MAX_RUN_EXPERIMENT_LINES = 40
# The command entry points, which talk to the reader on stdout; everything else logs.
PRINTING = {"experiments/cli.py", "experiments/lesson.py", "experiments/precision.py", "experiments/sample.py"}


def test_modules_are_small_and_the_top_room_short():
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_MODULES, top
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def function_lengths() -> dict[str, int]:
    """Every function and method of the package, by file and name, with its length in lines (decorators excluded)."""
    lengths = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lengths[f"{path.relative_to(ROOT)}:{node.name}"] = node.end_lineno - node.lineno + 1
    return lengths


def test_functions_are_short_and_the_run_reads_on_one_screen():
    lengths = function_lengths()
    assert not {name: n for name, n in lengths.items() if n > MAX_FUNCTION_LINES}
    assert lengths["experiments/runner.py:run_experiment"] <= MAX_RUN_EXPERIMENT_LINES


def test_only_the_command_entry_points_print():
    printing = {
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*.py")
        if any(
            isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"
            for n in ast.walk(ast.parse(p.read_text()))
        )
    }
    assert printing <= PRINTING, printing - PRINTING


def test_package_init_files_import_nothing_of_the_project():
    """Importing one submodule runs its package's __init__: one that imports siblings can close a circle at run time."""
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent.name == "registry":
            continue  # the registry's __init__ is its index: every group and the lookup tables
        assert not any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(ast.parse(init.read_text()))), init


def test_messages_go_through_logging():
    code = [*PACKAGE.rglob("*.py"), *(ROOT / "scripts").glob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in code if re.search(r"\bannounce\b|lambda _: None", p.read_text())]
    assert not offenders


def test_every_command_line_uses_the_one_parser():
    commands = [p for p in [*PACKAGE.rglob("*.py"), *(ROOT / "scripts").glob("*.py")] if "def main(" in p.read_text()]
    assert commands
    for path in commands:
        text = path.read_text()
        assert "argparse" not in text and "sys.argv" not in text, path
        assert "parse(" in text, f"{path} does not read its options through experiments.cli.parse"
