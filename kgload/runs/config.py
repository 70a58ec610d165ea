"""The run configuration file (``kgload run --config kgload.yaml``): validated, paths resolved
relative to the file, secrets only from the environment (or a password file)."""

from __future__ import annotations

import glob as globbing
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema

from kgload.defaults import LOAD_BATCH, LOCK_TTL
from kgload.errors import ConfigError, MappingError
from kgload.model import Source
from kgload.readers import expand_inputs
from kgload.sinks.neo4j.settings import Neo4jSettings
from kgload.yamlsource import YamlSource

SECRET_KEYS = {"password", "neo4j_password", "pass", "secret", "token", "auth"}


@dataclass(frozen=True)
class SourceSpec:
    path: Path | None = None
    glob: str | None = None
    format: str | None = None

    def files(self, base: Path) -> list[Path]:
        if self.glob is not None:
            # glob.glob, not Path.glob: the pattern may climb out of base ("../inbox/**")
            matches = sorted(globbing.glob(str(base / self.glob), recursive=True))  # noqa: PTH207
            return [Path(m) for m in matches if Path(m).is_file()]
        assert self.path is not None
        return expand_inputs([self.path]) if self.path.exists() else []


@dataclass(frozen=True)
class Target:
    """One target of a run configuration: a Neo4j server, or the embedded store at ``store``."""

    neo4j: Neo4jSettings | None = None
    store: Path | None = None


@dataclass
class RunConfig:
    path: Path
    sources: list[SourceSpec]
    mapping: Path | None = None
    store: Path | None = None
    neo4j: dict[str, str] | None = None
    batch_size: int = LOAD_BATCH
    validate: bool = True
    rejects_dir: Path | None = None
    lock_ttl: int = LOCK_TTL
    workers: int | None = None  # None: every usable core
    shacl_engine: str | None = None  # None: KGLOAD_SHACL_ENGINE, else the compiled engine
    missing: list[str] = field(default_factory=list)  # sources that matched nothing
    absent: list[str] = field(default_factory=list)  # `path:` sources that do not exist (a typo, not an empty inbox)

    def inputs(self) -> list[Source]:
        """Every file the sources name, now (folders and globs are expanded at each run)."""
        out: list[Source] = []
        base = self.path.parent
        self.missing = []
        self.absent = []
        for spec in self.sources:
            files = spec.files(base)
            if not files:
                self.missing.append(str(spec.glob or spec.path))
            if spec.path is not None and not spec.path.exists():
                self.absent.append(str(spec.path))
            out += [Source(f, spec.format) for f in files]
        return out

    def targets(self) -> list[Target]:
        """Where the run loads, in order: Neo4j first, then the embedded store."""
        settings = self.neo4j_settings()
        neo4j = [Target(neo4j=settings)] if settings is not None else []
        return neo4j + ([Target(store=self.store)] if self.store is not None else [])

    def neo4j_settings(self) -> Neo4jSettings | None:
        if self.neo4j is None:
            return None
        password_file = self.neo4j.get("password_file")
        settings = Neo4jSettings.from_env(
            uri=self.neo4j.get("uri"),
            username=self.neo4j.get("username"),
            database=self.neo4j.get("database"),
            password_file=(self.path.parent / password_file) if password_file else None,
        )
        if settings is None:
            raise ConfigError(f"{self.path}: targets.neo4j needs a URI: set NEO4J_URI or targets.neo4j.uri")
        return settings


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("kgload.schemas").joinpath("config.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def load_config(path: Path) -> RunConfig:
    try:
        source = YamlSource(path)
    except MappingError as exc:
        raise ConfigError("; ".join(str(p) for p in exc.problems)) from None
    data = source.data
    problems = []
    for secret_path in _secrets(data):
        problems.append(
            str(
                source.problem(
                    secret_path,
                    "secrets do not belong in the config file",
                    "set NEO4J_PASSWORD or NEO4J_PASSWORD_FILE in the environment",
                )
            )
        )
    if not problems:
        for error in _validator().iter_errors(data):
            where = tuple(error.absolute_path)
            message = error.message
            if error.validator == "additionalProperties":
                extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
                message = f"unknown key {extra[0]!r}; allowed: {', '.join(sorted(error.schema.get('properties', {})))}"
                where = (*where, extra[0])
            problems.append(str(source.problem(where, message)))
    if problems:
        raise ConfigError("config error:\n  " + "\n  ".join(problems))
    base = Path(os.path.normpath(path.parent))
    options = data.get("options") or {}
    targets = data["targets"]
    return RunConfig(
        path=path,
        sources=[
            SourceSpec(_join(base, s["path"]) if "path" in s else None, s.get("glob"), _format(base, s.get("format")))
            for s in data["sources"]
        ],
        mapping=_join(base, data["mapping"]) if data.get("mapping") else None,
        store=_join(base, targets["embedded"]["path"]) if "embedded" in targets else None,
        neo4j=dict(targets["neo4j"]) if "neo4j" in targets else None,
        batch_size=options.get("batch_size", LOAD_BATCH),
        validate=options.get("validate", True),
        rejects_dir=_join(base, options["rejects_dir"]) if options.get("rejects_dir") else None,
        lock_ttl=options.get("lock_ttl_seconds", LOCK_TTL),
        workers=options.get("workers"),
        shacl_engine=options.get("shacl_engine"),
    )


def _format(base: Path, fmt: str | None) -> str | None:
    """A format name as it is; a source mapping file relative to the config, like every other path."""
    return str(_join(base, fmt)) if fmt and fmt.lower().endswith((".yaml", ".yml")) else fmt


def _join(base: Path, relative: str) -> Path:
    return Path(os.path.normpath(base / relative))


def _secrets(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).lower() in SECRET_KEYS:
                found.append((*path, key))
            found += _secrets(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _secrets(value, (*path, i))
    return found
