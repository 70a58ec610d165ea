"""A document's outline: what the compiled SHACL checks' verdict on it depends on, so that one run of
the checks answers for every later document with the same outline.

The compiled checks (kgload.fastshacl) branch on which triples a document holds, on whether a term
is one the ontology or the shapes hold (compared by identity), on whether it is an IRI, a blank node
or a literal, and on the few tests that read a value itself (sh:datatype, sh:pattern, the ranges).
An outline is the document's triples with every term of the ontology and the shapes kept and every
other term replaced by its slot (numbered in order of first appearance) and kind. Two documents with
the same outline take the same path through the checks as long as those value tests give the same
answers on the terms in the same slots: the first document's run notes them (``fastshacl.Trace``),
and a later document asks them again instead of running the checks. A run that read anything else
of the values (a query in pyoxigraph, a message with a value written into it) is not remembered.

Slots follow term equality as rdflib sees it, since the checks index rdflib terms: a typed literal
takes its slot by its rdflib term (rdflib writes ``"01"^^xsd:integer`` as ``"1"``), every other term
by its pyoxigraph term (equal in both libraries).
"""

from __future__ import annotations

import hashlib
import threading
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pyoxigraph as ox
import rdflib
import rdflib.term
from rdflib.term import Node

if TYPE_CHECKING:
    from kgload.fastshacl import CompiledShapes

Payload = TypeVar("Payload")

# the kinds of a term in a slot; an outline writes a slot as ``slot * _KINDS + kind``, a kept term as a
# negative code, and after a typed literal whose text rdflib keeps, its datatype (below ``_DATATYPE``)
IRI, BLANK, STRING, LANG, TYPED, VALUED = range(6)  # VALUED: a typed literal rdflib may write otherwise
_KINDS = 6
_DATATYPE = -(1 << 40)
# the kinds whose literal a datatype test answers for by its kind and datatype alone (fastshacl's ``by_kind``)
_ANSWERED_BY_KIND = frozenset((STRING, LANG, TYPED))
_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
_MAX_TERMS = 50_000  # terms classified, remembered across documents: bounded, as the validator's terms are
# outlines remembered: bounded, so memory does not grow with the input; when full, only the half most
# recalled since the last time stay (a feed's frequent outlines)
_MAX_OUTLINES = 16_384
_MAX_VARIANTS = 4  # answers remembered for one outline whose value tests answered otherwise
# outlining a document that recalls nothing costs a look-up per term on top of the checks: after a window
# of documents in which fewer than a quarter recalled (documents with many relations rarely repeat), the
# outlines rest for a while, forgotten, and are then tried again
WINDOW, ENOUGH, REST = 1_000, 250, 10_000


@dataclass(frozen=True)
class Outline:
    key: bytes  # a digest of the outline: remembered outlines cost their digest, not their hundred codes
    terms: list[Any]  # the document's pyoxigraph term in each slot
    kinds: list[int]  # and its kind


# a value test the checks asked, by slot: (slot, the test, its answer)
SlotTest = tuple[int, Callable[[Node, Any], bool], bool]


class Outlines(Generic[Payload]):
    """The outlines of the documents one validator has checked, each with what its checks gave."""

    def __init__(self, compiled: CompiledShapes, convert: Mapping[Any, Node]) -> None:
        # ``convert``: pyoxigraph terms to the rdflib terms the checks get (the validator's, remembered)
        self.compiled, self.convert = compiled, convert
        self._texts = compiled.known_texts()
        # id of each kept term's object -> its negative code: numbered once, so that threads sharing the
        # validator cannot give two terms one code
        self._codes = {id(term): -1 - number for number, term in enumerate(compiled.known_terms())}
        self._lock = threading.Lock()
        self._classes: dict[Any, int] = {}  # pyoxigraph term -> its code or its kind
        self._datatypes: dict[Any, int] = {}  # the datatypes of TYPED literals, numbered from 1
        self._normalizing: dict[Any, bool] = {}
        self._remembered: dict[bytes, _Remembered[Payload]] = {}
        self._asked = self._recalled = self._resting = 0

    def __getstate__(self) -> dict[str, Any]:
        # what is remembered holds the checks' closures and object ids: a copy in another process starts empty
        return {"compiled": self.compiled, "convert": self.convert}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["compiled"], state["convert"])  # type: ignore[misc]

    def resting(self) -> bool:
        """Whether to check the next document without its outline (see ``WINDOW``)."""
        if self._resting:
            self._resting -= 1
            return True
        return False

    def asked(self, recalled: bool) -> None:
        """Count a document that was outlined, and whether it recalled."""
        self._asked += 1
        self._recalled += recalled
        if self._asked >= WINDOW:
            if self._recalled < ENOUGH:
                self._resting = REST
                self._remembered = {}
            self._asked = self._recalled = 0

    def of(self, statements: Iterable[tuple[Any, Any, Any, Any]]) -> Outline:
        """The outline of a document's statements (subject, predicate, object, graph: the graph is not read)."""
        key: list[int] = []
        slots: dict[Any, int] = {}
        terms: list[Any] = []
        kinds: list[int] = []
        classes, convert = self._classes, self.convert
        for subject, predicate, obj, _ in statements:
            for term in (subject, predicate, obj):
                code = classes.get(term)
                if code is None:
                    code = self._classify(term)
                if code < 0:
                    key.append(code)
                    continue
                kind = code % _KINDS
                same = convert[term] if kind == VALUED else term
                slot = slots.get(same)
                if slot is None:
                    slot = slots[same] = len(terms)
                    terms.append(term)
                    kinds.append(kind)
                key.append(slot * _KINDS + kind)
                if code >= _KINDS:
                    key.append(_DATATYPE - code // _KINDS)
        return Outline(hashlib.blake2b(array("q", key).tobytes(), digest_size=16).digest(), terms, kinds)

    def _classify(self, term: Any) -> int:
        """A kept term's negative code, or the kind of a term that goes in a slot (with its datatype's
        number times ``_KINDS`` added for a typed literal whose text rdflib keeps)."""
        datatype = None
        if isinstance(term, ox.NamedNode):
            kind, text = IRI, term.value
        elif isinstance(term, ox.BlankNode):
            kind, text = BLANK, term.value
        elif term.language:
            kind, text = LANG, term.value
        else:
            datatype = term.datatype
            if datatype == _XSD_STRING:
                kind, text = STRING, term.value
            elif self._normalizes(datatype):
                kind, text = VALUED, None  # compared as its rdflib term, which may be written otherwise
            else:
                kind, text = TYPED, term.value
        code = kind
        if text is None or text in self._texts:
            converted = self.convert[term]
            if self.compiled.is_known(converted):
                code = self._codes[id(converted)]
        if code == TYPED:
            number = self._datatypes.get(datatype)
            if number is None:
                with self._lock:
                    number = self._datatypes.setdefault(datatype, 1 + len(self._datatypes))
            code += _KINDS * number
        # remembered for the terms that recur (IRIs, numbers, dates), not a document's own texts and blank nodes
        if kind in (IRI, VALUED) or code < 0:
            if len(self._classes) >= _MAX_TERMS:
                self._classes.clear()
            self._classes[term] = code
        return code

    def _normalizes(self, datatype: Any) -> bool:
        """Whether rdflib may write a literal of ``datatype`` otherwise than its text (it converts its value)."""
        found = self._normalizing.get(datatype)
        if found is None:
            found = self._normalizing[datatype] = _rdflib_converts(datatype.value)
        return found

    def slots(self, outline: Outline) -> dict[Node, int]:
        """Each slot's rdflib term, to its slot."""
        return {self.convert[term]: slot for slot, term in enumerate(outline.terms)}

    def term(self, outline: Outline, slot: int) -> Node:
        return self.convert[outline.terms[slot]]

    def recall(self, outline: Outline) -> Payload | None:
        """What a document of this outline gave, when its value tests answer here as they did there."""
        remembered = self._remembered.get(outline.key)
        if remembered is None:
            return None
        for tests, payload in remembered.variants:
            for at in range(0, len(tests), 3):  # (slot, test, answer) after (slot, test, answer)
                if bool(tests[at + 1](self.term(outline, tests[at]), None)) is not tests[at + 2]:
                    break
            else:
                remembered.recalled += 1
                return payload
        return None

    def remember(
        self,
        outline: Outline,
        slots: Mapping[Node, int],
        read: Iterable[tuple[Node, Callable[[Node, Any], bool], bool]],
        payload: Payload,
    ) -> None:
        """``payload`` for this outline, with the value tests a run of the checks asked (``Trace.tests``);
        ``slots``: the outline's ``slots``, which the caller used for the payload."""
        if self._resting:  # the window that just closed had too few recalls
            return
        tests: dict[tuple[int, int], SlotTest] = {}
        for value, test, answer in read:
            slot = slots.get(value)
            # a kept term's answers are the same in every document, and so are a datatype test's on a
            # literal whose kind and datatype the outline holds
            if slot is None or (outline.kinds[slot] in _ANSWERED_BY_KIND and getattr(test, "by_kind", False)):
                continue
            tests.setdefault((slot, id(test)), (slot, test, bool(answer)))
        remembered = self._remembered.get(outline.key)
        if remembered is None:
            if len(self._remembered) >= _MAX_OUTLINES:
                self._forget()
            remembered = self._remembered[outline.key] = _Remembered()
        if len(remembered.variants) < _MAX_VARIANTS:
            # one flat tuple: a tuple for each test would cost more than the test's three references
            remembered.variants.append((tuple(x for test in tests.values() for x in test), payload))

    def _forget(self) -> None:
        """Room for more: the half of the outlines most recalled since the last time stay (a feed's frequent
        ones, which a feed would otherwise check all over again), none that was not recalled."""
        ranked = sorted(self._remembered.items(), key=lambda item: item[1].recalled, reverse=True)
        self._remembered = {key: r for key, r in ranked[: _MAX_OUTLINES // 2] if r.recalled}
        for r in self._remembered.values():
            r.recalled = 0


class _Remembered(Generic[Payload]):
    """An outline's answers: one per way its value tests answered (``_MAX_VARIANTS`` at most)."""

    __slots__ = ("recalled", "variants")

    def __init__(self) -> None:
        self.variants: list[tuple[tuple[Any, ...], Payload]] = []  # each variant's tests, flat, and its payload
        self.recalled = 0  # recalls since the last ``_forget``


def _rdflib_converts(datatype: str) -> bool:
    """Whether rdflib converts a literal of ``datatype`` to a Python value (and so may write its text anew)."""
    mapping = getattr(rdflib.term, "_toPythonMapping", None)
    if mapping is None:  # another rdflib: every typed literal is compared as rdflib's term
        return True
    return callable(mapping.get(rdflib.URIRef(datatype)))
