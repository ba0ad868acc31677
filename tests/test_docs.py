"""The README is a guide a newcomer can follow: every command it and docs/ show names a real command with real options,
it stays short, and every page it and docs/ link to is there (the long sections live in docs/, one link away)."""

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 320  # about 300: what it is, the first lesson, install, commands, layout, how to add, results
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.M | re.S)
SHELL_BLOCKS = {"bash", "sh", "shell", "console"}
INLINE = re.compile(r"`((?:\.venv/bin/)?(?:python3? -m |make |pytest )[^`]+)`")
PYTHONS = {"python", "python3", ".venv/bin/python"}
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")

# One interpreter for every help text: `python -m MODULE --help` each, as runpy runs it, so torch loads once.
HELP_SCRIPT = r"""
import contextlib, io, json, runpy, sys
texts = {}
for key in json.loads(sys.argv[1]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        if key == "pytest":
            import pytest
            pytest.main(["--help", "-p", "no:cacheprovider"])
        elif key == "accelerate":
            from accelerate.commands.launch import launch_command_parser
            launch_command_parser().print_help()
        else:
            sys.argv = [key, "--help"]
            if key.endswith(".py"):
                runpy.run_path(key, run_name="__main__")
            else:
                runpy.run_module(key, run_name="__main__", alter_sys=True)
    texts[key] = out.getvalue()
print(json.dumps(texts))
"""


def shown_commands(text: str) -> list[list[str]]:
    """Each command of the shell blocks and of the inline ``python -m …``, ``make …`` and ``pytest …`` spans, as words,
    its comment dropped."""
    lines = [line for lang, body in FENCE.findall(text) if lang.strip() in SHELL_BLOCKS for line in body.splitlines()]
    lines += [span.replace("\n", " ") for span in INLINE.findall(FENCE.sub("", text))]
    return [words for line in lines if (words := shlex.split(line, comments=True))]


def options(words: list[str]) -> list[str]:
    """The long options among the words, without their values: ``--steps=5`` and ``[--results_dir`` are ``--steps`` and
    ``--results_dir``."""
    named = (word.strip("[]").split("=")[0] for word in words)
    return [word for word in named if word.startswith("--") and len(word) > 2]


def makefile_targets() -> dict[str, str]:
    """Each Makefile target and its recipe."""
    targets: dict[str, str] = {}
    current = None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z][\w.-]*)\s*:(?!=)", line):
            current = match.group(1)
            targets[current] = ""
        elif line.startswith("\t") and current:
            targets[current] += line + "\n"
        elif line.strip() and not line.startswith("#"):
            current = None
    return targets


def checks(words: list[str]) -> list[tuple[str, str, list[str]]]:
    """What one command asks of the project, as (kind, name, options): a make target (its variables as options), a
    module, a script, pytest, accelerate; a command of no such kind (grep, pip) asks nothing."""
    program, rest = words[0], words[1:]
    if program == "make":
        target = next((word for word in rest if "=" not in word), "")
        variables = [word for word in rest if "=" in word]
        found = [("make", target, [word.split("=")[0] for word in variables])]
        module = re.search(r"-m (\S+) \$\(ARGS\)", makefile_targets().get(target, ""))
        for word in variables:
            if word.startswith("ARGS=") and module:
                found += checks(["python", "-m", module.group(1), *shlex.split(word.removeprefix("ARGS="))])
        return found
    if program.endswith("accelerate") and rest[:1] == ["launch"]:
        split = rest.index("-m") if "-m" in rest else len(rest)
        return [("accelerate", "launch", options(rest[1:split])), *checks(["python", *rest[split:]])]
    if program.endswith("pytest"):
        return [("pytest", "pytest", options(rest))]
    if program in PYTHONS and rest[:1] == ["-m"] and len(rest) > 1:
        if rest[1] == "pytest":
            return [("pytest", "pytest", options(rest[2:]))]
        return [("module", rest[1], options(rest[2:]))]
    if program in PYTHONS and rest and rest[0].endswith(".py"):
        return [("script", rest[0], options(rest[1:]))]
    return []


def guide_checks(pages: list[Path]) -> list[tuple[str, str, list[str]]]:
    return [
        check for page in pages for words in shown_commands(page.read_text(encoding="utf-8")) for check in checks(words)
    ]


# The lab notes are history: a command there is what was run then.
GUIDE = [README, *sorted(path for path in DOCS.glob("*.md") if path.name != "notes.md")]


@pytest.fixture(scope="module")
def help_texts() -> dict[str, str]:
    """Every help text the guide's commands need, from one subprocess."""
    found = guide_checks(GUIDE)
    keys = sorted({kind if kind in ("pytest", "accelerate") else name for kind, name, _ in found if kind != "make"})
    ran = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT, json.dumps(keys)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    return json.loads(ran.stdout.strip().splitlines()[-1])


def problems(found: list[tuple[str, str, list[str]]], texts: dict[str, str]) -> list[str]:
    """Each command that names no real command, and each option its command's help does not list."""
    targets, makefile = makefile_targets(), (ROOT / "Makefile").read_text(encoding="utf-8")
    said = []
    for kind, name, given in found:
        if kind == "make":
            said += [f"make {name}: no such target"] if name and name not in targets else []
            said += [
                f"make {name} {var}=: the Makefile reads no $({var})" for var in given if f"$({var})" not in makefile
            ]
            continue
        if kind == "module" and importlib.util.find_spec(name) is None:
            said.append(f"python -m {name}: no such module")
            continue
        if kind == "script" and not (ROOT / name).is_file():
            said.append(f"{name}: no such script")
            continue
        key = kind if kind in ("pytest", "accelerate") else name
        text = texts.get(key, "")
        said += [
            f"{key} {option}: not in its --help"
            for option in given
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text)
        ]
    return said


def test_every_command_the_readme_shows_names_a_real_command_and_real_options(help_texts):
    found = guide_checks([README])
    kinds = {(kind, name) for kind, name, _ in found}
    shown = {("make", "lesson"), ("make", "tune"), ("module", "experiments.tune"), ("module", "experiments.sample")}
    assert shown <= kinds
    assert problems(found, help_texts) == []


@pytest.mark.parametrize("page", GUIDE[1:], ids=lambda path: path.name)
def test_every_command_a_docs_page_shows_names_a_real_command_and_real_options(help_texts, page):
    assert problems(guide_checks([page]), help_texts) == []


def test_the_check_names_a_missing_module_target_script_and_option(help_texts):
    bad = [
        "python -m experiments.nosuch --x",
        "make nosuch",
        "make lesson CONFIGG=x",
        ".venv/bin/python scripts/nosuch.py",
        ".venv/bin/python -m experiments.tune s --base smoke --no_such_option 1",
        ".venv/bin/pytest -m fast --run-slowly",
    ]
    said = problems([check for line in bad for check in checks(shlex.split(line))], help_texts)
    assert said == [
        "python -m experiments.nosuch: no such module",
        "make nosuch: no such target",
        "make lesson CONFIGG=: the Makefile reads no $(CONFIGG)",
        "scripts/nosuch.py: no such script",
        "experiments.tune --no_such_option: not in its --help",
        "pytest --run-slowly: not in its --help",
    ]


def test_the_readme_is_a_guide_and_every_page_it_moved_is_one_link_away():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_README_LINES
    linked = {(README.parent / target.split("#")[0]).resolve() for target in LINK.findall(text)}
    assert {path.resolve() for path in DOCS.glob("*.md")} <= linked, "a page in docs/ that the README does not link"


@pytest.mark.parametrize("page", [README, *sorted(DOCS.glob("*.md"))], ids=lambda path: path.name)
def test_every_link_of_the_readme_and_docs_leads_to_a_file(page):
    targets = [target.split("#")[0] for target in LINK.findall(page.read_text(encoding="utf-8"))]
    missing = [target for target in targets if target and "://" not in target and not (page.parent / target).exists()]
    assert missing == []
