"""Safe YAML loading that remembers the line of every key, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml

from kgload.errors import MappingError, MappingProblem

Path_ = tuple[str | int, ...]
# libyaml's safe loader when PyYAML has it: the same documents, read faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSource:
    """A YAML file's data (``yaml.safe_load``) plus the line each path starts on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[Path_, int] = {}
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise MappingError([MappingProblem(str(path), None, "file", f"cannot read: {exc.strerror}")]) from exc
        except UnicodeDecodeError as exc:
            raise MappingError([MappingProblem(str(path), None, "file", "not UTF-8 text")]) from exc
        try:
            self.data: Any = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (C or Python)
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise MappingError([MappingProblem(str(path), line, "yaml", f"not valid YAML: {problem}")]) from exc
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, path: Path_) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._index(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, index))

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def problem(self, path: Path_, message: str, fix: str = "") -> MappingProblem:
        key = ".".join(str(p) for p in path) or "(top level)"
        return MappingProblem(str(self.path), self.line(path), key, message, fix)

    def schema_problems(
        self, validator: jsonschema.Validator, one_of: tuple[str, str] | None = None
    ) -> list[MappingProblem]:
        """Every way the data breaks a JSON Schema, each at its line, sorted by line.

        ``one_of`` is the message and fix for a value that fits no branch of a ``oneOf``; without it, the
        branch of the value's own type explains what is wrong inside it.
        """
        problems = [self._schema_problem(e, one_of) for e in validator.iter_errors(self.data)]
        return sorted(problems, key=lambda p: (p.line or 0, p.key))

    def _schema_problem(self, error: jsonschema.ValidationError, one_of: tuple[str, str] | None) -> MappingProblem:
        if error.validator == "oneOf" and one_of is None:
            inner = [e for e in error.context or () if e.validator != "type"]
            if inner:
                return self._schema_problem(jsonschema.exceptions.best_match(inner), None)
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            allowed = ", ".join(sorted(error.schema.get("properties", {})))
            return self.problem(
                (*path, *extra[:1]),
                f"unknown key {extra[0]!r}" if extra else error.message,
                f"allowed keys here: {allowed}",
            )
        if error.validator == "required":
            return self.problem(path, error.message, "add the missing key")
        if error.validator == "oneOf":
            message, fix = one_of or ("fits none of the allowed forms", "")
            return self.problem(path, message, fix)
        return self.problem(path, error.message)
