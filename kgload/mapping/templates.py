"""IRI templates: ``{base}id/{class|lower}/{name|slug}``.

A template is text with ``{field|transform|…}`` slots. Fields come from a fixed set per
context (entity, document, relation); transforms from ``kgload.vocabulary.transforms``. Every
value is percent-encoded after its transforms, so no input can change an IRI's structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from kgload.vocabulary.transforms import TRANSFORMS

SLOT = re.compile(r"\{([^{}|]*)((?:\|[^{}|]*)*)\}")
RAW_FIELDS = frozenset({"base"})  # trusted values from the mapping itself, not encoded
# text that quote() leaves as it is (its always-safe characters: ASCII letters, digits, "-._~"): an
# id or a slug, mostly, which this check passes for less than quote's own
_UNCHANGED = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    text: str
    parts: tuple[str | tuple[str, tuple[Callable[[str], str], ...]], ...]
    fields: frozenset[str]

    def render(self, values: Mapping[str, object]) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            name, transforms = part
            value = values.get(name)
            if value is None or value == "":
                raise TemplateError(f"template {self.text!r} needs {name!r}, which is empty")
            text = str(value)
            for transform in transforms:
                text = transform(text)
            out.append(text if name in RAW_FIELDS or _UNCHANGED(text) else quote(text, safe="-._~"))
        return "".join(out)


def compile_template(text: str, allowed_fields: frozenset[str]) -> Template:
    """Parse a template, or raise TemplateError saying which field or transform is unknown."""
    parts: list[str | tuple[str, tuple[Callable[[str], str], ...]]] = []
    fields: set[str] = set()
    position = 0
    for match in SLOT.finditer(text):
        parts.append(text[position : match.start()])
        name = match.group(1).strip()
        if name not in allowed_fields:
            known = ", ".join(sorted(allowed_fields))
            raise TemplateError(f"unknown template field {{{name}}}; fields here are: {known}")
        transforms = []
        for t in filter(None, (t.strip() for t in match.group(2).split("|"))):
            if t not in TRANSFORMS:
                raise TemplateError(f"unknown transform |{t}; transforms are: {', '.join(sorted(TRANSFORMS))}")
            transforms.append(TRANSFORMS[t])
        parts.append((name, tuple(transforms)))
        fields.add(name)
        position = match.end()
    rest = text[position:]
    if "{" in rest or "}" in rest or any("{" in p or "}" in p for p in parts if isinstance(p, str)):
        raise TemplateError(f"unbalanced braces in template {text!r}")
    parts.append(rest)
    return Template(text, tuple(p for p in parts if p != ""), frozenset(fields))
