"""The kgload command in a user's shell: completion installs and completes, help reads as English."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from kgload.cli import app
from tests.common import ROOT

WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}


def help_of(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def usage_of(*args: str) -> str:
    [line] = [line.strip() for line in help_of(*args).splitlines() if line.strip().startswith("Usage:")]
    return line


def shim(tmp_path) -> dict[str, str]:
    """A PATH whose ``kgload`` is this checkout's, as the installed entry point would be."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "kgload"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m kgload "$@"\n')
    command.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(home),
        "SHELL": "/bin/bash",
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
    }


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_install_completion_writes_a_bash_completion_that_completes(tmp_path):
    env = shim(tmp_path)
    # typer finds the shell among kgload's parent processes: run it from bash, not exec'd by it
    done = subprocess.run(
        ["bash", "-c", "kgload --install-completion; exit $?"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    script = tmp_path / "home" / ".bash_completions" / "kgload.sh"
    assert f"installed in {script}" in done.stdout
    assert f"source '{script}'" in (tmp_path / "home" / ".bashrc").read_text()

    # the installed function, in a fresh bash, completes commands and options as a Tab would
    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        program = (
            f"source '{script}'; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
            'COMP_LINE="${COMP_WORDS[*]}"; _kgload_completion kgload; printf "%s\\n" "${COMPREPLY[@]}"'
        )
        out = subprocess.run(
            ["bash", "--norc", "-c", program], capture_output=True, text=True, env=env, timeout=60, check=True
        )
        return out.stdout.split()

    assert complete("kgload", "ret") == ["retract"]
    assert complete("kgload", "load", "--neo4j-d") == ["--neo4j-database"]


def test_help_lists_completion_and_uses_rich():
    top = help_of()
    assert "--install-completion" in top and "--show-completion" in top
    assert re.search(r"╭─ Options ─+", top), top  # rich panels, not click's plain text
    assert re.search(r"╭─ Commands ─+", top), top


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (["load"], "Usage: kgload load [OPTIONS] INPUT..."),
        (["map"], "Usage: kgload map [OPTIONS] INPUT..."),
        (["retract"], "Usage: kgload retract [OPTIONS] DOCUMENT..."),
        (["export"], "Usage: kgload export [OPTIONS] [INPUT]..."),
        (["query"], "Usage: kgload query [OPTIONS] [SPARQL]"),
        (["check-mapping"], "Usage: kgload check-mapping [OPTIONS] [MAPPING]"),
        (["runs"], "Usage: kgload runs [OPTIONS]"),
        ([], "Usage: kgload [OPTIONS] COMMAND [ARGS]..."),
    ],
)
def test_usage_lines_read_as_english(command, usage):
    assert usage_of(*command) == usage


def test_every_usage_line_names_arguments_plainly():
    for info in app.registered_commands:
        line = usage_of(info.name)
        assert not re.search(r"[{}]|\.\.\.\.|\[\[", line), line


@pytest.mark.parametrize("command", ["runs", "retract"])
def test_ledger_commands_do_not_offer_to_load(command):
    text = " ".join(help_of(command).split())
    assert "Load into" not in text
    assert "Use this Neo4j instead of the embedded store" in text


def test_python_dash_m_kgload_is_the_command(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **WIDE}
    done = subprocess.run(
        [sys.executable, "-m", "kgload", "--help"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: kgload [OPTIONS] COMMAND [ARGS]..." in done.stdout
    assert "load" in done.stdout and "retract" in done.stdout
