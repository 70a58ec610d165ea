"""Where the bundled ontology, shapes, mappings and world gazetteer live.

In a source checkout (or an editable install) they are the repo's top-level ``ontology/``,
``mappings/`` and ``gazetteer/`` folders; in a wheel they are copied into ``kgload/_data/`` at build time
(see ``[tool.hatch.build.targets.wheel.force-include]`` in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kgload's bundled {name}/ folder is missing from the installation")


def default_mapping() -> Path:
    return data_dir("mappings") / "kgload.yaml"


def default_world_gazetteer() -> Path:
    return data_dir("gazetteer") / "world.json.gz"
