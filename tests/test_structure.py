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
                return path[path.index(nxt):] + [nxt]
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


def test_modules_are_small_and_the_top_room_short():
    top = sorted(PACKAGE.glob("*.py"))
    assert len(top) <= 20, [p.name for p in top]
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 300}
    assert not long, long


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
