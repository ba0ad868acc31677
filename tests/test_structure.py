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
    paths = [*PACKAGE.rglob("*.py"), ROOT / "rewards.py", ROOT / "text_measures.py"]
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


# The floors of the house, bottom first: a module imports from its own floor or a lower one, never from a higher one,
# so each piece lives on the floor of those who use it. A module's floor is that of the longest prefix naming it: a
# folder may span floors (reporting/: the machine's environment, the results folder, then the record and the report).
FLOORS = (
    (
        ("text_measures", "rewards", "experiments.files", "experiments.cli"),
        "the ground: text measures, rewards, files written whole, the command line and the errors it ends in one line",
    ),
    (
        ("experiments.evaluation",),
        "a model loaded, its answers generated, measured, judged",
    ),
    (("experiments.registry",), "the entries, declared on the model names"),
    (
        ("experiments.precision", "experiments.reporting.environment"),
        "the machine: the precision a run computes in, and what a reader needs to reproduce it",
    ),
    (
        ("experiments.reporting.summary_file", "experiments.reporting.journal", "experiments.reporting.results_folder"),
        "the results folder, read strictly and finished under its lock: a run checks it, and finishes it, before training",
    ),
    (("experiments.training",), "a run checked, built and trained"),
    (("experiments.reporting",), "a run's record, published, and the report drawn from the records"),
    (("experiments.runner",), "one run, from its checks to its row: what the lesson and the tuner start"),
    (("experiments.tune",), "the tuner: many runs, in lanes"),
    (("experiments.lesson", "experiments.report", "experiments.benchmark", "experiments.sample"), "the other commands"),
)


def floor_of(module: str) -> tuple[int, str] | None:
    """The floor of a module and the prefix that puts it there, None for a module no floor names."""
    named = [
        (len(prefix), level, prefix)
        for level, (prefixes, _) in enumerate(FLOORS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(named)[1:] if named else None


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import that runs up a floor, as a line naming the module, the module it imports and both floors."""
    found = []
    for module, imports in sorted(graph.items()):
        for imported in sorted(imports):
            (low, at), (high, to) = floor_of(module) or (-1, "?"), floor_of(imported) or (-1, "?")
            if high > low:
                found.append(f"{module} (floor {low}, {at}) imports {imported} (floor {high}, {to})")
    return found


def test_an_import_up_a_floor_is_named():
    graph = {"experiments.evaluation.evaluate": {"experiments.training.stages", "experiments.files"}}
    assert upward_imports(graph) == [
        "experiments.evaluation.evaluate (floor 1, experiments.evaluation) imports experiments.training.stages "
        "(floor 5, experiments.training)"
    ]
    assert floor_of("experiments.reporting.journal") == (4, "experiments.reporting.journal")


def test_every_module_has_a_floor_and_every_floor_names_modules():
    graph = import_graph()
    assert [m for m in graph if m != "experiments" and floor_of(m) is None] == []  # "experiments" imports nothing
    named = [p for prefixes, _ in FLOORS for p in prefixes]
    assert [p for p in named if not any(m == p or m.startswith(p + ".") for m in graph)] == []


def test_no_import_runs_up_a_floor():
    upward = upward_imports({module: imports for module, imports in import_graph().items() if module != "experiments"})
    assert not upward, "imports that run up a floor:\n" + "\n".join(upward)


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
