"""The import contract in pyproject.toml ([tool.importlinter]): layers that import only downward,
no package cycles. CI runs ``lint-imports`` too; this keeps a plain ``pytest`` honest."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from importlinter.cli import lint_imports

from tests.common import ROOT


def test_the_package_keeps_its_import_contract():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_an_upward_import_breaks_it(tmp_path: Path):
    """A reader importing the mapping above it must fail the contract (checked on a copy)."""
    shutil.copytree(ROOT / "kgload", tmp_path / "kgload", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    reader = tmp_path / "kgload" / "readers" / "common.py"
    reader.write_text(reader.read_text("utf-8") + "\nfrom kgload.mapping import spec  # noqa\n", "utf-8")
    script = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    found = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 1, found.stdout + found.stderr
    assert "kgload.readers is not allowed to import kgload.mapping" in found.stdout
