"""The operations files that ship in deploy/ (issue 30): the systemd unit and timer are verified by
systemd itself where ``systemd-analyze`` exists, and the command each file names (the unit's
ExecStart, the cron line) is run as written, with only the install paths pointed at this checkout,
against a config of the seed: it must load and exit 0, its output JSON lines. docs/scheduling.md
shows the same files."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.common import ROOT

DEPLOY = ROOT / "deploy"
KGLOAD = Path(sys.executable).with_name("kgload")
INSTALLED = "/opt/kgload/venv/bin/kgload"
CRON_TIME = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text("utf-8"))
    return parser


def site(tmp_path: Path, seed: Path) -> Path:
    """/srv/kgload as the files expect it: a kgload.yaml loading the seed into an embedded store."""
    srv = tmp_path / "srv"
    (srv / "inbox").mkdir(parents=True)
    shutil.copy(seed, srv / "inbox" / seed.name)
    (srv / "kgload.yaml").write_text(
        "kgload_config: 1\nsources:\n  - glob: inbox/*.json\ntargets:\n  embedded:\n    path: store\n"
        "options:\n  rejects_dir: rejects\n",
        "utf-8",
    )
    return srv


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KGLOAD_"))}
    env["HOME"] = str(tmp_path)
    return env


def check_json_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines, "no output"
    return lines


def test_systemd_analyze_verifies_the_unit_and_timer(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed; the files are still parsed and run below")
    for name in ("kgload.service", "kgload.timer"):  # the binary must exist for verify to pass
        text = (DEPLOY / "systemd" / name).read_text("utf-8").replace(INSTALLED, str(KGLOAD))
        (tmp_path / name).write_text(text, "utf-8")
    done = subprocess.run(
        [analyze, "verify", "--man=no", str(tmp_path / "kgload.service"), str(tmp_path / "kgload.timer")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr + done.stdout


def test_the_units_exec_start_runs_and_loads(tmp_path, seed):
    service = unit(DEPLOY / "systemd" / "kgload.service")
    timer = unit(DEPLOY / "systemd" / "kgload.timer")
    assert service["Service"]["Type"] == "oneshot" and "75" in service["Service"]["SuccessExitStatus"].split()
    assert service["Service"]["KillSignal"] == "SIGINT"  # a graceful stop: the batch rolls back
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    environment = dict(
        line.split("=", 1) for line in (DEPLOY / "systemd" / "kgload.env").read_text("utf-8").splitlines() if line
    )
    assert set(environment) == {"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD_FILE"}
    srv = site(tmp_path, seed)
    working = service["Service"]["WorkingDirectory"]
    command = shlex.split(service["Service"]["ExecStart"])
    assert command[0] == INSTALLED
    argv = [str(KGLOAD)] + [arg.replace(working, str(srv)) for arg in command[1:]]
    for _ in range(2):  # the second tick finds nothing new: still exit 0
        done = subprocess.run(argv, cwd=srv, capture_output=True, text=True, timeout=300, env=clean_env(tmp_path))
        assert done.returncode == 0, done.stderr
        lines = check_json_lines(done.stdout + done.stderr)
        assert all("level" in line or "documents" in line or "run" in line for line in lines), lines
    assert (srv / "store").is_dir()


def test_the_cron_line_runs_as_written(tmp_path, seed):
    text = (DEPLOY / "cron" / "kgload").read_text("utf-8")
    env = clean_env(tmp_path)
    jobs = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            name, value = line.split("=", 1)
            env[name] = value
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, f"a cron.d line is five times, a user and a command: {line}"
        assert all(CRON_TIME.match(f) for f in fields[:5]), line
        jobs.append(fields[6])
    assert len(jobs) == 1 and "NEO4J_URI" in env and "NEO4J_USERNAME" in env
    srv = site(tmp_path, seed)
    log = tmp_path / "kgload.jsonl"
    command = jobs[0].replace("/srv/kgload", str(srv)).replace("/var/log/kgload/kgload.jsonl", str(log))
    for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD_FILE"):  # no Neo4j here: the config's store
        env.pop(name)
    env["PATH"] = f"{KGLOAD.parent}:{env['PATH']}"
    done = subprocess.run([env["SHELL"], "-c", command], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, log.read_text("utf-8") if log.exists() else done.stderr
    check_json_lines(log.read_text("utf-8"))


def test_the_docs_show_the_shipped_files():
    docs = (ROOT / "docs" / "scheduling.md").read_text("utf-8")
    for path in (
        DEPLOY / "systemd" / "kgload.service",
        DEPLOY / "systemd" / "kgload.timer",
        DEPLOY / "cron" / "kgload",
    ):
        assert path.read_text("utf-8").strip() in docs, f"docs/scheduling.md does not show {path.relative_to(ROOT)}"


def healthcheck() -> str:
    """The Dockerfile's HEALTHCHECK command, as the shell runs it."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    [line] = [line for line in text.splitlines() if line.startswith("HEALTHCHECK ")]
    argv = json.loads(line.split(" CMD ", 1)[1])
    assert argv[:2] == ["/bin/sh", "-c"]
    return argv[2]


@pytest.mark.parametrize(
    ("last_run", "minutes_ago", "healthy"),
    [
        (None, 0, True),  # a one-off container, or the first run still going
        ({"exit_code": 0}, 1, True),
        ({"exit_code": 3}, 1, True),  # rejects: the loader works, the data needs a look
        ({"exit_code": 75}, 1, True),  # the previous run still held the lock
        ({"exit_code": 2}, 1, False),
        ({"exit_code": 4}, 1, False),
        ({"exit_code": 1}, 1, False),
        ({"exit_code": 0}, 30, False),  # the loop stopped running
    ],
)
def test_the_images_healthcheck_reads_the_loaders_last_run(tmp_path, last_run, minutes_ago, healthy):
    command = healthcheck().replace("/data/state/", f"{tmp_path}/")
    if last_run is not None:
        line = {"time": "2025-06-14T12:00:00Z", "logger": "loader", "message": "kgload run exited", **last_run}
        (tmp_path / "last-run").write_text(json.dumps(line) + "\n")
        stamp = time.time() - minutes_ago * 60
        os.utime(tmp_path / "last-run", (stamp, stamp))
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=30)
    assert (done.returncode == 0) is healthy, (done.returncode, done.stderr)


def test_compose_mounts_the_servers_folders_and_spells_the_variables_one_way():
    import yaml

    text = (ROOT / "docker-compose.yml").read_text("utf-8")
    neo4j = yaml.safe_load(text)["services"]["neo4j"]
    targets = {volume.split(":")[1] for volume in neo4j["volumes"]}
    assert {"/data", "/logs", "/import", "/plugins"} <= targets
    for path in (ROOT / "docker-compose.yml", ROOT / "README.md", ROOT / ".env.example", *ROOT.glob("docs/*.md")):
        assert not re.search(r"NEO4J_USER\b", path.read_text("utf-8")), path.name
    assert "COPY gazetteer" in (ROOT / "Dockerfile").read_text("utf-8")  # the wheel force-includes it


def dockerfile_packages() -> set[str]:
    """The Debian packages the Dockerfile's ``apt-get install`` commands name."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    packages: set[str] = set()
    for line in text.splitlines():
        if line.startswith("RUN "):
            for command in line[4:].split("&&"):
                words = shlex.split(command)
                if words[:2] == ["apt-get", "install"]:
                    packages.update(word for word in words[2:] if not word.startswith("-"))
    return packages


# the Debian package fontconfig takes each of the SVG's font families from, in an image holding
# only what the Dockerfile installs (Liberation Sans has Helvetica's and Arial's metrics)
FONT_PACKAGES = {"Helvetica": "fonts-liberation", "Arial": "fonts-liberation", "sans-serif": "fonts-dejavu-core"}


def test_the_image_installs_what_png_export_runs():
    """Issue 30.6: the image could not render PNG. kgload.export.svg runs a Chromium by one of its
    names on an SVG whose text asks for some font families: the Dockerfile must install both."""
    from kgload.export import svg

    packages = dockerfile_packages()
    assert "chromium" in packages, packages
    assert "chromium" in svg.CHROMIUM_NAMES  # Debian's package installs /usr/bin/chromium
    source = Path(svg.__file__).read_text("utf-8")
    families = {f.strip() for found in re.findall(r'font-family="([^"]+)"', source) for f in found.split(",")}
    assert families and families <= set(FONT_PACKAGES), families
    assert {FONT_PACKAGES[f] for f in families} <= packages


def _debian_package_of(path: str) -> str | None:
    done = subprocess.run(["dpkg-query", "-S", os.path.realpath(path)], capture_output=True, text=True, timeout=30)
    return done.stdout.split(":", 1)[0] if done.returncode == 0 else None


def test_the_dockerfiles_packages_are_what_this_debian_runs_png_export_with():
    """Where Debian's packages are installed (CI, this machine): the Chromium kgload finds and the
    fonts fontconfig picks for the SVG's families come from the packages the Dockerfile names."""
    from kgload.export import svg

    if shutil.which("dpkg-query") is None or shutil.which("fc-match") is None:
        pytest.skip("not a Debian with fontconfig")
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    packages = dockerfile_packages()
    assert _debian_package_of(browser) in packages
    source = Path(svg.__file__).read_text("utf-8")
    named = [f.strip() for f in re.search(r'font-family="([^"]+)"', source).group(1).split(",")]
    for family in [f for f in named if f != "sans-serif"]:  # the generic family differs with what else is installed
        done = subprocess.run(["fc-match", "--format=%{file}", family], capture_output=True, text=True, timeout=30)
        assert _debian_package_of(done.stdout) == FONT_PACKAGES[family], (family, done.stdout)
