"""The parts of klyngerapport.toml about the population basis, participation by year and the
submission: [population] source, [cofinancing] non_participating, [submission]."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from klyngerapport.config_values import TableReader, describe
from klyngerapport.model import Municipality, SubmissionContact
from klyngerapport.reference import BUILTIN_SOURCES

DEFAULT_SOURCES = ("befolkning", "builtin:folk1a-2023K1")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# (first year, municipalities) in year order; first year None: in force from the start.
ByYear = tuple[tuple[int | None, tuple[Municipality, ...]], ...]


def in_force(by_year: ByYear, year: int) -> tuple[Municipality, ...]:
    """The list of `by_year` in force in `year`: the last one whose first year is not after it."""
    found: tuple[Municipality, ...] = ()
    for first, items in by_year:
        if first is None or first <= year:
            found = items
    return found


def sources(parser: TableReader, population: dict[str, Any]) -> tuple[str, ...]:
    value = population.get("source", list(DEFAULT_SOURCES))
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise parser.fail(
            "population.source",
            "skal være en fil, en mappe eller en liste af dem, fx "
            '["befolkning", "builtin:folk1a-2023K1"].',
        )
    for i, item in enumerate(items):
        where = "population.source" + (f"[{i}]" if isinstance(value, list) else "")
        if not isinstance(item, str) or not item.strip():
            raise parser.fail(
                where, f"skal være en sti eller et indbygget kvartal, ikke {describe(item)}."
            )
        if item.startswith("builtin:") and item not in BUILTIN_SOURCES:
            raise parser.fail(
                where,
                f'det indbyggede kvartal "{item}" findes ikke; indbygget er '
                f"{', '.join(BUILTIN_SOURCES)}.",
                "Hent andre kvartaler med 'klyngerapport population fetch KVARTAL' "
                '(fx 2024K1); de lægges i mappen "befolkning".',
            )
    return tuple(items)


def non_participating(
    parser: TableReader, cofin: dict[str, Any]
) -> tuple[tuple[int | None, tuple[Municipality, ...]], ...]:
    value = cofin.get("non_participating", [])
    key = "cofinancing.non_participating"
    if isinstance(value, list):
        return ((None, municipality_list(parser, value, key)),)
    if not isinstance(value, dict):
        raise parser.fail(
            key,
            f'skal være en liste, fx ["Greve"], eller en liste pr. år, fx '
            f'{{ 2021 = ["Greve"], 2025 = ["Greve", "Stevns"] }}, men er {describe(value)}.',
        )
    found: list[tuple[int | None, tuple[Municipality, ...]]] = []
    for year_key, items in value.items():
        where = f"{key}.{year_key}"
        if not re.fullmatch(r"\d{4}", year_key):
            raise parser.fail(where, f'"{year_key}" er ikke et årstal.')
        if not isinstance(items, list):
            raise parser.fail(where, f"skal være en liste af kommuner, men er {describe(items)}.")
        found.append((int(year_key), municipality_list(parser, items, where)))
    return tuple(sorted(found, key=lambda pair: pair[0] or 0))


def municipality_list(parser: TableReader, items: list[Any], key: str) -> tuple[Municipality, ...]:
    found = tuple(parser.municipality(v, f"{key}[{i}]") for i, v in enumerate(items))
    for i, m in enumerate(found):
        if m in found[:i]:
            raise parser.fail(f"{key}[{i}]", f"{m.name} står der allerede.")
    return found


def submission(parser: TableReader, table: dict[str, Any]) -> SubmissionContact:
    deadline = ""
    text = parser.get(table, "deadline", str, "submission", required=False)
    if text is not None:
        found = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", text)
        valid = False
        if found:
            day, month = int(found.group(1)), int(found.group(2))
            try:
                dt.date(2023, month, day)  # not a leap year: 29-02 is refused
                valid = True
            except ValueError:
                valid = False
        if not found or not valid:
            raise parser.fail(
                "submission.deadline",
                f'"{text}" er ikke en dag og måned som "31-01" (fristen ligger i året '
                "efter indberetningsåret).",
            )
        deadline = f"{day:02d}-{month:02d}"
    email = parser.get(table, "email", str, "submission", "").strip()
    if email and not _EMAIL.match(email):
        raise parser.fail("submission.email", f'"{email}" er ikke en e-mailadresse.')
    return SubmissionContact(
        deadline=deadline,
        recipient=parser.get(table, "recipient", str, "submission", "").strip(),
        email=email,
        contact=parser.get(table, "contact", str, "submission", "").strip(),
    )
