"""Entity declarations of an RDF/XML file checked before it is parsed, so that expanding them is bounded.

pyoxigraph expands the internal entities an RDF/XML file declares in its DOCTYPE, without a limit: a
"billion laughs" file (entities nesting entities) or a quadratic blow-up (one large entity referenced
many times) takes minutes and gigabytes. OWL files use entities to abbreviate namespaces, so they are
allowed when none refers to another, none is external or a parameter entity, and the text all their
references add stays within MAX_XML_ENTITY_EXPANSION.
"""

from __future__ import annotations

import re

from kgload.readers.limits import MAX_XML_ENTITY_EXPANSION

_DECLARATION = re.compile(rb"<!ENTITY\b")
_INTERNAL = re.compile(rb"""<!ENTITY\s+([A-Za-z_][\w.\-:]*)\s+(?:"([^"]*)"|'([^']*)')\s*>""")
_SUBSET_END = re.compile(rb"\]\s*>")
_REFERENCE = re.compile(rb"&([A-Za-z_][\w.\-:]*);")
_PREDEFINED = frozenset({b"lt", b"gt", b"amp", b"apos", b"quot"})


def entity_problem(data: bytes) -> str | None:
    """Why the file's entity declarations could expand without bound, or None when they cannot."""
    if _DECLARATION.search(data) is None:
        return None
    declared = list(_INTERNAL.finditer(data))
    if len(declared) != len(_DECLARATION.findall(data)):
        return "RDF/XML with external or parameter entity declarations (<!ENTITY % …> or SYSTEM/PUBLIC) is not loaded"
    values: dict[bytes, bytes] = {}
    for match in declared:
        value = match[2] if match[2] is not None else match[3]
        if b"&" in value:  # a reference, or a character reference that becomes one ("&#38;a;")
            name = match[1].decode("utf-8", "replace")
            return f"RDF/XML entity {name!r} refers to another entity; nested entities are not expanded"
        values.setdefault(match[1], value)
    end = _SUBSET_END.search(data, declared[-1].end())
    body = data[end.end() :] if end else b""
    added = 0
    for reference in _REFERENCE.finditer(body):
        name = reference[1]
        if name not in _PREDEFINED:
            added += len(values.get(name, b""))
            if added > MAX_XML_ENTITY_EXPANSION:
                return (
                    f"RDF/XML entity references would add more than {MAX_XML_ENTITY_EXPANSION} characters "
                    "(an entity expansion attack, or a file to write without entities)"
                )
    return None
