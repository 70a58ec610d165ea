"""Safe YAML loading that remembers the line of every key, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kgload.errors import MappingError, MappingProblem

Path_ = tuple[str | int, ...]


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
            self.data: Any = yaml.safe_load(text)
            node = yaml.compose(text, Loader=yaml.SafeLoader)
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
