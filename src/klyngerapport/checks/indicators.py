"""The Indikatorer sheet: the office's reported result per contract indicator.

The contract (config) is the truth for which indicators and targets apply; the sheet only
contributes results and comments. Derived indicators are counted from Virksomheder and need no
result (the template writes "Beregnes ud fra fanen Virksomheder" there).
"""

from __future__ import annotations

from klyngerapport.checks.header import Columns, find_header
from klyngerapport.checks.messages import SheetFindings, unseen
from klyngerapport.checks.values import clean_text, format_number, is_blank, parse_number
from klyngerapport.config import Config
from klyngerapport.errors import suggestion
from klyngerapport.model import Finding, Indicator, IndicatorRow
from klyngerapport.reading.sheet import RawSheet, cell_ref
from klyngerapport.schema import (
    IND_COMMENT,
    IND_ID,
    IND_NAME,
    IND_RESULT,
    IND_TARGET,
    IND_UNIT,
    SHEET_INDICATORS,
    SHEET_NATIONAL,
)

SHEET = SHEET_INDICATORS
NATIONAL_SHEET = SHEET_NATIONAL  # the cluster's national (UFS) results, PRODUCT.md §10
COLUMNS = Columns(
    names={
        IND_ID: ("Indikator-id", "Indikatorid"),
        IND_NAME: ("Indikatornavn",),
        IND_UNIT: (),
        IND_TARGET: ("Maal", "Mal", "Måltal"),
        IND_RESULT: ("Resultater",),
        IND_COMMENT: ("Bemærkninger", "Bemaerkning", "Kommentar", "Kommentarer"),
    },
    # Without ID and Resultat nothing can be read; Mål is only compared with the contract, and
    # the descriptive columns are for the reader of the workbook.
    required=(IND_ID, IND_RESULT),
)
# The contract's target is compared with the workbook's with this tolerance (Excel stores numbers
# as doubles; a target of 0.1 may come back as 0.1000000000000000055).
_TOLERANCE = 1e-9


def contract_for(
    config: Config, office_id: str | None, year: int | None
) -> list[tuple[Indicator, float]] | None:
    """The office's contract for the year, or None when it cannot be known."""
    if office_id is None or year is None:
        return None
    office = config.office(office_id)
    if office is None or not office.active(year):
        return None
    return config.contract(office_id, year)


def national_contract_for(
    config: Config, office_id: str | None, year: int | None
) -> list[tuple[Indicator, float]]:
    """The office's national (UFS) contract for the year; empty when there is none."""
    if contract_for(config, office_id, year) is None:
        return []
    assert office_id is not None and year is not None  # contract_for checked both
    return config.national_contract(office_id, year)


def check_indicators(
    sheet: RawSheet,
    file: str,
    config: Config,
    office_id: str | None,
    year: int | None,
    national: bool = False,
) -> tuple[tuple[IndicatorRow, ...], tuple[Finding, ...]]:
    """Read and check Indikatorer against the office's contract for `year`.

    Without a known contract (office or year unknown) results are still read and checked, but
    rows are not compared with a contract. `national`: the sheet is Nationale mål, checked the
    same way against the national contract, except that every result is a reported number (the
    Virksomheder sheet lists the regional office's companies: nothing national is derived).
    """
    findings = SheetFindings(file, sheet.name)
    header = find_header(sheet, COLUMNS, findings)
    if header is None:
        return (), tuple(findings.items)
    contract = (
        national_contract_for(config, office_id, year)
        if national
        else contract_for(config, office_id, year)
    )
    variant = "/national" if national else ""
    targets = {i.id: (i, t) for i, t in contract} if contract is not None else {}
    catalogue = {i.id: i for i in config.indicators}
    col = header.columns
    c_id, c_result = col[IND_ID], col[IND_RESULT]
    c_target, c_comment = col.get(IND_TARGET), col.get(IND_COMMENT)
    known = list(col.values())

    rows: list[IndicatorRow] = []
    first_row: dict[str, int] = {}
    for row in range(header.row + 1, sheet.last_row(known) + 1):
        # A formula without a calculated value, or an error cell, reads as blank; its row is not
        # empty.
        if all(
            is_blank(sheet.value(row, c))
            and not sheet.formula_without_value(row, c)
            and sheet.error_value(row, c) is None
            for c in known
        ):
            continue
        raw_id = sheet.value(row, c_id)
        ident = clean_text(raw_id).upper()
        if not ident:
            key = (
                "formula-no-value"
                if sheet.formula_without_value(row, c_id)
                else "indicator-unknown/no-id"
            )
            findings.add(key, row, c_id)
            continue
        if ident in first_row:
            findings.add(
                "row-duplicate/indicator",
                row,
                c_id,
                value=raw_id,
                indicator=ident,
                first=first_row[ident],
            )
            continue
        first_row[ident] = row
        if contract is not None and ident not in targets:
            known_ids = list(targets)
            findings.add(
                "indicator-unknown" + variant,
                row,
                c_id,
                value=raw_id,
                suggest=suggestion(ident, known_ids) if known_ids else "",
                office=office_id,
                year=year,
                known=", ".join(known_ids) or "ingen",
            )
            continue
        indicator = targets[ident][0] if ident in targets else catalogue.get(ident)
        derived = indicator is not None and indicator.derived and not national
        result = _result(sheet, row, c_result, ident, derived, findings)

        target: float | None = None
        if c_target is not None:
            raw_target = sheet.value(row, c_target)
            parsed = parse_number(raw_target) if not is_blank(raw_target) else None
            target = parsed[0] if parsed else None
            if ident in targets:
                contract_target = targets[ident][1]
                if is_blank(raw_target):
                    findings.add(
                        "target-differs/blank",
                        row,
                        c_target,
                        indicator=ident,
                        target=format_number(contract_target),
                    )
                elif target is None or abs(target - contract_target) > _TOLERANCE:
                    findings.add(
                        "target-differs" + variant,
                        row,
                        c_target,
                        value=raw_target,
                        indicator=ident,
                        target=format_number(contract_target),
                    )
        comment = clean_text(sheet.value(row, c_comment)) if c_comment is not None else ""
        rows.append(IndicatorRow(ident, row, target, result, comment, cell_ref(row, c_result)))

    for indicator, _ in contract or ():
        if indicator.id not in first_row and (national or not indicator.derived):
            findings.add(
                "result-missing/no-row" + variant, indicator=indicator.id, name=indicator.name
            )
    return tuple(rows), tuple(findings.items)


def _result(
    sheet: RawSheet, row: int, col: int, ident: str, derived: bool, findings: SheetFindings
) -> float | None:
    raw = sheet.value(row, col)
    if is_blank(raw):
        if derived:
            pass
        elif sheet.formula_without_value(row, col):
            findings.add("formula-no-value", row, col)
        elif (error := sheet.error_value(row, col)) is not None:
            findings.add("result-not-number/error", row, col, value=error, indicator=ident)
        else:
            findings.add(
                "result-missing", row, col, value=raw or None, indicator=ident, **unseen(sheet)
            )
        return None
    parsed = parse_number(raw)
    if parsed is None:
        if not derived:  # the template's "Beregnes ud fra fanen Virksomheder" is no result
            findings.add("result-not-number", row, col, value=raw, indicator=ident)
        return None
    number, as_text = parsed
    if as_text:
        findings.add(
            "number-as-text", row, col, value=raw, what="Resultatet", number=format_number(number)
        )
    if number < 0:
        findings.add("result-negative", row, col, value=raw, indicator=ident)
        return None
    return number
