"""The finding catalogue: codes, severities and message templates stay consistent."""

from __future__ import annotations

import string

import pytest

from klyngerapport.checks import messages
from klyngerapport.checks.messages import SEVERITY, finding, template_keys

# PRODUCT.md §6: the codes are a contract.
SPEC_CODES = {
    "file-unreadable",
    "file-encrypted",
    "file-too-large",
    "file-unsupported",
    "sheet-missing",
    "sheet-ambiguous",
    "cell-merged",
    "column-missing",
    "office-missing",
    "office-unknown",
    "year-missing",
    "year-mismatch",
    "submission-duplicate",
    "submission-missing",
    "indicator-unknown",
    "result-missing",
    "result-not-number",
    "result-negative",
    "formula-no-value",
    "target-differs",
    "derived-differs",
    "cvr-invalid",
    "cvr-checksum",
    "municipality-unknown",
    "municipality-outside",
    "sme-invalid",
    "activity-unknown",
    "date-invalid",
    "date-outside-year",
    "date-as-text",
    "date-after-cutoff",
    "row-duplicate",
    "name-missing",
    "number-as-text",
}
WARNINGS = {
    "indicator-unknown",
    "cell-merged",
    "target-differs",
    "derived-differs",
    "municipality-outside",
    "date-as-text",
    "row-duplicate",
    "name-missing",
    "number-as-text",
}


def test_codes_and_severities_match_the_spec() -> None:
    assert set(SEVERITY) == SPEC_CODES
    assert {c for c, s in SEVERITY.items() if s == "warning"} == WARNINGS


def test_every_template_belongs_to_a_code_and_every_code_has_one() -> None:
    keys = template_keys()
    assert {k.partition("/")[0] for k in keys} <= SPEC_CODES
    assert set(keys) >= SPEC_CODES


@pytest.mark.parametrize("key", template_keys())
def test_templates_format(key: str) -> None:
    """Every template formats with its own placeholders and gives a Danish sentence."""
    fields = {f for _, f, _, _ in string.Formatter().parse(messages._TEMPLATES[key]) if f}
    params = dict.fromkeys(fields - {"value"}, "X.")
    f = finding(key, "fil.xlsx", sheet="Virksomheder", row=7, col=0, value="v", **params)
    assert f.message.startswith("Virksomheder!A7: ")
    assert f.message.endswith((".", "?"))


@pytest.mark.parametrize(
    ("kwargs", "cell", "prefix"),
    [
        ({"sheet": "Virksomheder", "row": 7, "col": 0}, "A7", "Virksomheder!A7: "),
        ({"sheet": "Indikatorer"}, None, "Indikatorer: "),
        ({}, None, ""),
    ],
)
def test_place_prefix(kwargs: dict[str, object], cell: str | None, prefix: str) -> None:
    f = finding("formula-no-value", "fil.xlsx", **kwargs)  # type: ignore[arg-type]
    assert f.cell == cell and f.message.startswith(prefix)
    assert not f.message.startswith(prefix + " ")


def test_value_is_kept_whole_and_quoted_short() -> None:
    long = "x" * 200
    f = finding("sme-invalid", "fil.xlsx", sheet="Virksomheder", row=2, col=3, value=long)
    assert f.value == long
    assert "x" * 59 + "…" in f.message and "x" * 61 not in f.message


def test_integer_floats_shown_without_decimals() -> None:
    f = finding(
        "cvr-invalid",
        "fil.xlsx",
        sheet="Virksomheder",
        row=2,
        col=0,
        value=1234567.0,
        reason="7 cifre, ikke 8",
    )
    assert f.value == "1234567" and '"1234567"' in f.message
