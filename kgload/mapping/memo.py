"""Bounded memo tables for the mapping hot path.

Names, IRIs and terms repeat across documents (a few hundred actors make most of a corpus), so
resolving each once pays. A ``Memo`` belongs to one compiled mapping or gazetteer: what that
object is (its version) is thereby part of every key, and a new mapping starts empty. Only pure
results go in; anything that depends on the run's state (tenures learned so far) is looked up
every time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

LIMIT = 65_536  # entries per table: a table that fills up starts over, so memory stays bounded


class Memo:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._tables: dict[str, dict[Hashable, Any]] = {}

    def table(self, name: str) -> dict[Hashable, Any]:
        """The table called ``name``, emptied when full; callers read it with ``.get`` and fill
        it through ``put``."""
        found = self._tables.get(name)
        if found is None:
            found = self._tables[name] = {}
        elif len(found) >= self.limit:
            found.clear()
        return found

    def get(self, name: str, key: Hashable, compute: Callable[..., Any], *args: Any) -> Any:
        """The entry for ``key``, made by ``compute(*args)`` the first time (arguments rather than a
        closure: the hot path makes no function object per lookup)."""
        table = self.table(name)
        try:
            return table[key]
        except KeyError:
            value = table[key] = compute(*args)
            return value

    def __len__(self) -> int:
        return sum(len(t) for t in self._tables.values())

    def __reduce__(self) -> tuple[type[Memo], tuple[int]]:
        return Memo, (self.limit,)  # a copy for another process starts empty: cheap to send

    def __deepcopy__(self, _memo: dict[int, Any]) -> Memo:
        return Memo(self.limit)
