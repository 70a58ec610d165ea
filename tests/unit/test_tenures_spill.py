"""The tenure index moves to disk past ``tenures.SPILL_AT`` holdings and answers as it did in memory,
ties included; a saved or pickled copy answers the same (workers get one)."""

from __future__ import annotations

import pickle
import random

import pytest

from kgload.mapping import tenures
from kgload.mapping.tenures import Holding, TenureIndex

DAYS = ["", "2019", "2020", "2020-03", "2020-03-01", "2020-03-31", "2021-12-31", "2022-06-15", "2024"]
HOLDERS = ["https://w3id.org/kgload/id/a", "https://w3id.org/kgload/id/b", "https://w3id.org/kgload/id/é"]


def _holdings(rng: random.Random, count: int) -> list[tuple[str, str, Holding]]:
    out = []
    for _ in range(count):
        start = rng.choice(DAYS)
        end = rng.choice([None, None, *[d for d in DAYS if d and d >= start]])
        name = rng.choice(["A", "B", "\ud800", ""])
        holding = Holding(rng.choice(HOLDERS), name, start, end)
        out.append((rng.choice(["leader", "head"]), rng.choice(["fr", "cn"]), holding))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_index_on_disk_answers_as_in_memory(monkeypatch: pytest.MonkeyPatch, seed: int, tmp_path) -> None:
    rng = random.Random(seed)
    held = _holdings(rng, 60)
    memory = TenureIndex()
    monkeypatch.setattr(tenures, "SPILL_AT", 10**9)
    added = [memory.add(*h) for h in held]
    monkeypatch.setattr(tenures, "SPILL_AT", 5)
    disk = TenureIndex()
    assert [disk.add(*h) for h in held] == added
    assert disk.on_disk and not memory.on_disk and len(disk) == len(memory)
    path = str(tmp_path / "saved.sqlite")
    disk.save(path)
    copies = [TenureIndex.load(path), pickle.loads(pickle.dumps(disk)), pickle.loads(pickle.dumps(memory))]
    for office in ("leader", "head"):
        for of in ("fr", "cn", "de"):
            for day in [*DAYS, "2020-03-15", "2023-01-01T10:00:00"]:
                if not day:
                    continue
                answer = memory.holder(office, of, day)
                assert disk.holder(office, of, day) == answer, (office, of, day)
                assert all(copy.holder(office, of, day) == answer for copy in copies)
