"""``kgload resolve``, the command: what a name resolves to, and why, with a mapping's gazetteer in front
of the world one. Registered by kgload/cli/__init__.py as ``app.command("resolve")(resolve_command)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kgload.cli.errors import user_errors
from kgload.errors import UsageError
from kgload.vocabulary.dates import iso_date


@user_errors
def resolve_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The name to resolve, as a source writes it.")],
    type_name: Annotated[
        str | None,
        typer.Option(
            "--type", "-t", metavar="<type>", help="The source's type: Actor, Person, PER, Country, GPE, City…"
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="<date>", help="The day (or month, year) a role phrase is about: 2024-12-01."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", "-m", help="Mapping YAML. Default: the bundled mappings/kgload.yaml.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Show what NAME resolves to (entry, identifiers, the rule that found it) and the IRI it gets.

    Exit code 0 when the name resolves to one entry, 3 when it does not (unresolved, ambiguous, or
    of another kind than --type).
    """
    from kgload import api

    day = _day(on) if on else None
    answer = api.resolve(name, type=type_name, on=day, mapping=mapping)
    if as_json:
        typer.echo(json.dumps(answer.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in _lines(answer):
            typer.echo(line)
    raise typer.Exit(0 if answer.status == "resolved" else 3)


def _day(text: str) -> str:
    if len(text) in (4, 7) and text.replace("-", "").isdigit():
        return text  # a year or a month: a role phrase is answered if one person held it throughout
    try:
        return iso_date(text)
    except ValueError:
        raise UsageError(f"--on {text!r}: give a date such as 2024-12-01 (or a month 2024-12, a year 2024)") from None


def _lines(answer) -> list[str]:
    typed = f" as {answer.type}" if answer.type else ""
    when = f" on {answer.on}" if answer.on else ""
    entry = answer.identity.entry
    head = f"{answer.name!r}{typed}{when}: {answer.status}"
    if entry is not None:
        head += f" → {entry.name or answer.name} ({entry.cls or 'no class'})"
        head += f", by {answer.identity.how} ({answer.identity.rule})"
    lines = [head, f"  iri: {answer.iri}"]
    if entry is not None:
        codes = [
            f"{label} {value}"
            for label, value in (
                ("key", entry.key),
                ("wikidata", entry.wikidata),
                ("iso", entry.iso),
                ("cameo", ", ".join(entry.cameo)),
                ("country", entry.country),
                ("part of", entry.parent),
            )
            if value
        ]
        lines.append(f"  identifiers: {'; '.join(codes)}")
    for candidate in answer.candidates[:10]:
        lines.append(f"  candidate: {candidate.name} ({candidate.cls}, {candidate.key})")
    if len(answer.candidates) > 10:
        lines.append(f"  … and {len(answer.candidates) - 10} more candidates")
    if answer.office:
        lines.append(f"  role phrase of the office {answer.office}" + ("" if answer.on else " (give --on DATE)"))
    if answer.note:
        lines.append(f"  note: {answer.note}")
    return lines
