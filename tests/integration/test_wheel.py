"""The wheel holds what kgload needs at run time and works without the repository: built here with
the project's own backend, inspected, then run from an empty folder with only the wheel's files on
the path (the test venv supplies the dependencies, never the checkout's data folders)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.common import ROOT, SAMPLES, SEED


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert built.returncode == 0, built.stderr
    [path] = out.glob("kgload-*.whl")
    return path


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_the_wheel_holds_the_licences_data_and_metadata(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist_info = f"kgload-{project['version']}.dist-info"
    expected = {
        f"{dist_info}/licenses/LICENSE",
        # the bundled world gazetteer and the notices of the data compiled into it (gazetteer/README.md)
        "kgload/_data/gazetteer/world.json.gz",
        "kgload/_data/gazetteer/curated.yaml",
        "kgload/_data/gazetteer/README.md",
        "kgload/_data/gazetteer/LICENSE-phoenix",
        "kgload/_data/gazetteer/LICENSE-pycountry",
        "kgload/_data/ontology/kgload.ttl",
        "kgload/_data/ontology/shapes.ttl",
        *(f"kgload/_data/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / "mappings").rglob("*.yaml")),
        *(f"kgload/{p.relative_to(ROOT / 'kgload').as_posix()}" for p in (ROOT / "kgload" / "schemas").glob("*.json")),
    }
    assert expected <= names, sorted(expected - names)
    assert any(n.startswith("kgload/_data/mappings/sources/") for n in expected)
    assert not [n for n in names if n.startswith(("tests/", "bench/", "examples/", ".venv")) or "__pycache__" in n]
    # the MIT notice names the CAMEO/Phoenix dictionaries' holder, as its licence requires
    assert b"Open Event Data" in zipfile.ZipFile(wheel).read("kgload/_data/gazetteer/LICENSE-phoenix")

    metadata = Parser().parsestr(zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode())
    assert metadata["Name"] == "kgload" and metadata["Version"] == project["version"]
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == project["requires-python"]
    assert metadata.get_all("Project-URL") and metadata.get_all("Classifier")
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "kgload = kgload.cli:main" in entry_points


def _kgload(unpacked: Path, cwd: Path, *args: object) -> subprocess.CompletedProcess[str]:
    """``kgload ARGS`` run from ``cwd`` with the wheel's files first on the path."""
    return subprocess.run(
        [sys.executable, "-m", "kgload", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "KGLOAD_STORE")}
        | {"PYTHONPATH": str(unpacked)},
    )


def test_the_wheel_works_outside_the_repository(unpacked, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    seed = work / SEED.name
    seed.write_bytes(SEED.read_bytes())

    where = _kgload(unpacked, work, "--version")
    assert where.returncode == 0 and where.stdout.startswith("kgload 0"), where.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import kgload.resources as r; print(r.default_mapping())"],
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(unpacked)},
    )
    assert Path(probe.stdout.strip()).is_relative_to(unpacked), probe.stdout + probe.stderr  # not the checkout's

    checked = _kgload(unpacked, work, "check-mapping")
    assert checked.returncode == 0 and ": ok" in checked.stdout, checked.stdout + checked.stderr
    loaded = _kgload(unpacked, work, "load", seed.name)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "22 entities, 31 relations" in loaded.stdout and (work / ".kgload" / "store").is_dir()
    asked = _kgload(
        unpacked, work, "query", "SELECT ?n WHERE { ?p a kg:Person ; rdfs:label ?n } ORDER BY ?n", "-o", "csv"
    )
    assert asked.returncode == 0 and "Vladimir Putin" in asked.stdout, asked.stdout + asked.stderr
    resolved = _kgload(unpacked, work, "resolve", "Россия")  # the compiled world gazetteer, from the wheel
    assert resolved.returncode == 0 and "Q159" in resolved.stdout, resolved.stdout + resolved.stderr
    exported = _kgload(unpacked, work, "export", "--around", "Vladimir Putin", "-o", "putin.graphml")
    assert exported.returncode == 0 and (work / "putin.graphml").stat().st_size > 0, exported.stderr

    icews = SAMPLES / "icews_events_sample.tab"
    if icews.is_file():  # a shipped source mapping, found in the wheel
        events = _kgload(unpacked, work, "load", icews, "--store", work / "events")
        assert events.returncode in (0, 3), events.stdout + events.stderr
        assert "documents: 40 read" in events.stdout
