"""Every shell command and Python block of README.md and docs/*.md is run here as shown (issue 30.7).

Which blocks run: every fenced ``bash``, ``sh`` and ``console`` block (a console block's commands are
its ``$ `` lines, the rest is their output) and every ``python`` block, unless the block is marked.
The marks are HTML comments on the line before the block (they do not show when rendered), in the
convention of tests/unit/test_docs_examples.py:

- ``<!-- test: skip REASON -->``: the block cannot run in CI; REASON is one of ``SKIP_REASONS``
  (it needs Docker, a Neo4j server, systemd, …). The reason is checked, so none is silent.
- ``<!-- test: file PATH -->``: the block is a file the later blocks of the page use (a query read
  with ``@PATH``); it is written at PATH in the page's folder before they run.
- any other ``<!-- test: KIND … -->`` (``document``, ``mapping``, ``bad-input-rejects``, …): the block
  is checked by test_docs_examples.py or test_docs_sources.py.

How they run: each page in a folder of its own holding copies of the repository's ``examples/``,
``mappings/`` and ``ontology/`` (and its ``gazetteer/``), with the seed already loaded into the
default embedded store (the state the README's quick start leaves), the blocks in page order. A path
under ``/tmp/`` is taken under that folder. Shell commands run in bash with this Python's ``kgload``
first on the PATH (and as ``.venv/bin/kgload``); each must exit 0, or with the code the block shows
after ``$ echo $?``. A command that is not ``kgload`` (or ``echo``/``cat``/``head``) makes the test
fail: such a block must be marked. A Python block runs as a script and must exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.common import ROOT, SEED

pytestmark = pytest.mark.slow

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL = ("bash", "sh", "console")
BLOCK = re.compile(
    r"(?:^<!-- test: (?P<kind>[\w-]+)(?: (?P<name>\S+))? -->\n)?^```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.S | re.M
)
SKIP_REASONS = {
    "docker": "needs a Docker engine",
    "neo4j": "needs a Neo4j server at the address shown",
    "neo4j-admin": "needs Neo4j's neo4j-admin, cypher-shell or a stopped server",
    "systemd": "installs into /etc and talks to systemd",
    "install": "installs kgload into a new venv (tests/integration/test_messages.py runs the quick start's commands)",
    "benchmark": "runs for minutes to hours (bench/)",
    "cluster": "needs dask or Spark and their data",
    "server": "needs `kgload serve` running (tests/integration/test_sparql_serve.py uses it with rdflib)",
    "template": "holds placeholders (<name>) to fill in",
    "illustration": "shows what a file the page does not give would do",
}
COMMANDS = ("kgload", ".venv/bin/kgload", "echo", "cat", "head")
TIMEOUT_S = 180


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    body: str
    kind: str | None
    name: str | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text("utf-8")
    return [
        Block(page, text.count("\n", 0, m.start("lang")) + 1, m["lang"], m["body"], m["kind"], m["name"])
        for m in BLOCK.finditer(text)
    ]


def commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command, the output lines shown after it) of a shell block, continuation lines joined."""
    lines = block.body.splitlines()
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if block.lang == "console":
            if not line.startswith("$ "):
                if out:
                    out[-1][1].append(line)
                continue
            line = line[2:]
        elif not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + lines[i].strip()
            i += 1
        out.append((line, []))
    return out


def runnable(block: Block) -> bool:
    return block.kind is None and block.lang in (*SHELL, "python")


def _workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    for name in ("examples", "mappings", "ontology"):  # copies: a block may write a file there
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "gazetteer").symlink_to(ROOT / "gazetteer")  # 2 MB, only read
    (tmp_path / "tmp").mkdir()
    bin_dir = Path(sys.executable).parent
    (tmp_path / ".venv").symlink_to(bin_dir.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KGLOAD_", "NEO4J_"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "120"
    loaded = subprocess.run(
        [str(bin_dir / "kgload"), "load", str(SEED.relative_to(ROOT))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return tmp_path, env


def _local(text: str, folder: Path) -> str:
    return text.replace("/tmp/", f"{folder}/tmp/")


def _run_shell(block: Block, folder: Path, env: dict[str, str]) -> None:
    steps = commands(block)
    assert steps, f"{block.where}: a shell block without commands"
    for index, (command, _) in enumerate(steps):
        words = shlex.split(command, comments=True)
        if not words or (words[0] == "echo" and words[1:] == ["$?"]):
            continue
        assert words[0] in COMMANDS, (
            f"{block.where}: `{command}` is not a kgload command: mark the block "
            f"<!-- test: skip REASON --> (reasons: {', '.join(SKIP_REASONS)}) or make it one"
        )
        expected = 0
        if index + 1 < len(steps) and steps[index + 1][0].strip() == "echo $?" and steps[index + 1][1]:
            expected = int(steps[index + 1][1][0])
        done = subprocess.run(
            ["bash", "-c", _local(command, folder)],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        assert done.returncode == expected, (
            f"{block.where}: `{command}` exited {done.returncode}, the docs show {expected}\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )


def _run_python(block: Block, folder: Path, env: dict[str, str]) -> None:
    script = folder / f"snippet-{block.line}.py"
    script.write_text(_local(block.body, folder) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, script.name], cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert done.returncode == 0, f"{block.where}: the Python block failed\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"


def test_every_mark_is_known_and_every_command_block_has_a_language():
    for page in PAGES:
        for block in blocks(page):
            if block.kind == "skip":
                assert block.name in SKIP_REASONS, f"{block.where}: skip reason {block.name!r} is unknown"
                assert block.lang in (*SHELL, "python"), f"{block.where}: only shell and Python blocks are skipped"
            if not block.lang:  # a block shown as plain text must not be a command one could copy
                first = block.body.lstrip().split(maxsplit=1)[0] if block.body.strip() else ""
                assert first != "kgload" and not first.startswith(("$", ".venv/", "python", "pip")), (
                    f"{block.where}: a command block needs a language (bash, console, python)"
                )


def test_the_pages_have_runnable_snippets():
    run = [b for page in PAGES for b in blocks(page) if runnable(b)]
    assert len([b for b in run if b.lang == "python"]) >= 5
    assert len([b for b in run if b.lang in SHELL]) >= 10
    assert any(b.page.name == "README.md" for b in run)


@pytest.mark.parametrize("page", [p for p in PAGES if any(runnable(b) for b in blocks(p))], ids=lambda p: p.name)
def test_every_snippet_of_the_page_runs_as_shown(page, tmp_path):
    folder, env = _workspace(tmp_path)
    for block in blocks(page):
        if block.kind == "file":
            target = folder / block.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body + "\n", encoding="utf-8")
        elif runnable(block):
            (_run_python if block.lang == "python" else _run_shell)(block, folder, env)
