"""Derived counts and target attainment of a year (PRODUCT.md §5, §7). Pure: no I/O.

The rules the spec leaves open, decided here and stated in the report:

- A company is its CVR number. An engagement (a row of Virksomheder) is *counted* when its
  municipality is one of the participating ones and its office's submission is accepted (the one
  file of the office and year, without errors). Every engagement is listed; only counted ones count.
- `companies`: unique CVR numbers with at least one counted engagement.
- `smes`: of those, the CVR numbers where at least one counted engagement says SMV = Ja. A company
  that took part as an SME counts as one; the count does not depend on row order or dates.
- `municipalities` and the reach per municipality: a CVR number listed with several municipalities
  reaches each of them (a company with sites in Næstved and Slagelse is reached in both), so the
  counts per municipality may add up to more than `companies`.
- `activity:<Aktivitet>`: unique CVR numbers with at least one counted engagement of the activity.
- Attainment is result / target, compared exactly as the numbers were typed (80 of 100 with
  partial = 0.8 is "Delvist opfyldt"). A target of 0 is met by any result >= 0 and has no
  attainment percentage (None).
- An office whose submission is missing, duplicated or has errors reports nothing: every contract
  indicator is listed with its target and "Ikke indberettet", and its counts are 0. Its company
  rows are listed as not counted. Files that belong to no office active in the year are not
  followed up; their findings are in the validation.
- The contract's targets win over the workbook's Mål; a derived indicator's result is the count,
  and a different number in the workbook is a `derived-differs` warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from fractions import Fraction

from klyngerapport.checks.derived import INDICATOR_SHEET, Counts, derived_differs, rows_by_id
from klyngerapport.checks.messages import finding
from klyngerapport.config import Config
from klyngerapport.model import (
    MET,
    NOT_MET,
    NOT_REPORTED,
    PARTIAL,
    SUBMISSION_ERRORS,
    SUBMISSION_MISSING,
    SUBMISSION_OK,
    SUBMISSION_WARNINGS,
    Engagement,
    Finding,
    Followup,
    Funding,
    Indicator,
    IndicatorOutcome,
    IndicatorRow,
    Municipality,
    Office,
    OfficeOutcome,
    SourceFile,
    Submission,
    Validation,
)

DERIVED_SOURCE = "Virksomheder (optalt)"


def follow_up(
    config: Config,
    year: int,
    validation: Validation,
    funding: Funding,
    sources: tuple[SourceFile, ...],
    config_source: SourceFile,
    tool_version: str,
    generated: dt.datetime,
) -> Followup:
    """The follow-up of `year`: one outcome per office active in the year.

    Findings the follow-up itself discovers (`derived-differs`, and `submission-missing` or
    `submission-duplicate` when the validation did not already report them) are added to the
    returned Followup's validation, so that its error and warning counts are complete.
    """
    participating = config.participating(year)
    codes = frozenset(m.code for m in participating)
    submissions = list(validation.submissions)
    set_findings = list(validation.findings)
    outcomes: list[OfficeOutcome] = []
    engagements: list[Engagement] = []

    for office in config.active_offices(year):
        contract = config.contract(office.id, year)
        # A file without a year in the year's folder belongs to the year (and has an error).
        mine = sorted(
            (
                i
                for i, s in enumerate(submissions)
                if s.office_id == office.id and s.year in (year, None)
            ),
            key=lambda i: str(submissions[i].path),
        )
        if not mine:
            if not _reported(set_findings, "submission-missing", office.id):
                set_findings.append(_missing(office, year))
            outcomes.append(_not_reported(office, SUBMISSION_MISSING, None, contract))
            continue
        if len(mine) > 1:
            involved = [submissions[i] for i in mine]
            already = [f for s in involved for f in s.findings] + set_findings
            if not any(s.errors for s in involved) and not _reported(
                already, "submission-duplicate", office.id, involved
            ):
                set_findings.append(_duplicate(office, year, involved))
            for sub in involved:
                engagements.extend(_engagements(office, sub, codes, accepted=False))
            outcomes.append(_not_reported(office, SUBMISSION_ERRORS, None, contract))
            continue

        index = mine[0]
        if submissions[index].errors:
            engagements.extend(_engagements(office, submissions[index], codes, accepted=False))
            outcomes.append(_not_reported(office, SUBMISSION_ERRORS, submissions[index], contract))
            continue
        outcome, listed, submissions[index] = _accepted_office(
            office, submissions[index], contract, participating, config.partial
        )
        outcomes.append(outcome)
        engagements.extend(listed)

    return Followup(
        year=year,
        region=config.region,
        council=config.council,
        offices=tuple(outcomes),
        participating=participating,
        funding=funding,
        engagements=tuple(engagements),
        validation=replace(
            validation, submissions=tuple(submissions), findings=tuple(set_findings)
        ),
        sources=sources,
        config_source=config_source,
        tool_version=tool_version,
        generated=generated,
        partial_threshold=config.partial,
    )


def _accepted_office(
    office: Office,
    sub: Submission,
    contract: list[tuple[Indicator, float]],
    participating: tuple[Municipality, ...],
    partial: float,
) -> tuple[OfficeOutcome, list[Engagement], Submission]:
    """The outcome of an office whose one submission has no errors, its engagements, and the
    submission with the findings the follow-up added."""
    listed = _engagements(office, sub, frozenset(m.code for m in participating), accepted=True)
    counts = Counts.of(e.company for e in listed if e.counted)
    rows = rows_by_id(sub.indicators)
    indicators: list[IndicatorOutcome] = []
    added: list[Finding] = []
    for indicator, target in contract:
        row = rows.get(indicator.id)
        if indicator.derive is not None:
            count = counts.derived(indicator.derive)
            indicators.append(_assess(indicator, target, float(count), DERIVED_SOURCE, partial))
            if row is not None and row.result is not None and row.result != count:
                finding = derived_differs(file_label(sub), indicator, row, count)
                if not _has(sub.findings, finding):
                    added.append(finding)
        else:
            result = row.result if row is not None else None
            indicators.append(_assess(indicator, target, result, _cell_text(row), partial))
    if added:
        sub = replace(sub, findings=(*sub.findings, *added))
    outcome = OfficeOutcome(
        office=office,
        status=SUBMISSION_WARNINGS if sub.warnings else SUBMISSION_OK,
        submission=sub,
        indicators=tuple(indicators),
        companies=counts.companies,
        smes=counts.smes,
        municipalities_reached=tuple(m for m in participating if m.code in counts.reach),
        companies_by_municipality={
            m.code: len(counts.reach[m.code]) for m in participating if m.code in counts.reach
        },
    )
    return outcome, listed, sub


def reach_by_municipality(f: Followup) -> dict[int, int]:
    """Unique companies reached per municipality code by all offices together (counted only)."""
    reach: dict[int, set[str]] = {}
    for e in f.engagements:
        if e.counted and e.company.municipality is not None:
            reach.setdefault(e.company.municipality.code, set()).add(e.company.cvr)
    return {code: len(cvrs) for code, cvrs in reach.items()}


def accepted(status: str) -> bool:
    """Whether an office with this submission status is reported (its numbers count)."""
    return status in (SUBMISSION_OK, SUBMISSION_WARNINGS)


# --- counting ---------------------------------------------------------------------------------


def _engagements(
    office: Office, sub: Submission, codes: frozenset[int], accepted: bool
) -> list[Engagement]:
    file = sub.path.name  # short and the same for every file; Kilder has the full paths
    return [
        Engagement(
            office.id,
            file,
            c,
            counted=accepted and c.municipality is not None and c.municipality.code in codes,
        )
        for c in sub.companies
    ]


# --- attainment -------------------------------------------------------------------------------


def status_of(target: float, result: float | None, partial: float) -> tuple[float | None, str]:
    """(attainment, status) of a result against a target; see the module docstring."""
    if result is None:
        return None, NOT_REPORTED
    # repr() gives the shortest decimal that round-trips, so 0.8 is compared as 4/5 exactly.
    exact_result, exact_target = Fraction(repr(result)), Fraction(repr(target))
    if exact_target == 0:
        return None, MET if exact_result >= 0 else NOT_MET
    attainment = result / target
    if exact_result >= exact_target:
        return attainment, MET
    if exact_result >= Fraction(repr(partial)) * exact_target:
        return attainment, PARTIAL
    return attainment, NOT_MET


def _assess(
    indicator: Indicator, target: float, result: float | None, source: str, partial: float
) -> IndicatorOutcome:
    attainment, status = status_of(target, result, partial)
    return IndicatorOutcome(
        indicator, target, result, attainment, status, source if result is not None else ""
    )


def _not_reported(
    office: Office, status: str, sub: Submission | None, contract: list[tuple[Indicator, float]]
) -> OfficeOutcome:
    return OfficeOutcome(
        office=office,
        status=status,
        submission=sub,
        indicators=tuple(
            IndicatorOutcome(i, target, None, None, NOT_REPORTED) for i, target in contract
        ),
        companies=0,
        smes=0,
        municipalities_reached=(),
    )


def _cell_text(row: IndicatorRow | None) -> str:
    if row is None:
        return ""
    if row.result_cell:
        return f"{INDICATOR_SHEET}!{row.result_cell}"
    return f"{INDICATOR_SHEET}, række {row.row}"


# --- findings the follow-up adds --------------------------------------------------------------


def file_label(sub: Submission) -> str:
    """The file name findings of this submission use (the reader's label, else the name)."""
    return next((f.file for f in sub.findings if f.file), sub.path.name)


def _has(findings: Iterable[Finding], new: Finding) -> bool:
    return any(f.code == new.code and f.file == new.file and f.row == new.row for f in findings)


def _reported(
    findings: Iterable[Finding], code: str, office_id: str, involved: Iterable[Submission] = ()
) -> bool:
    """Whether the validation already holds a `code` finding about this office."""
    files = {file_label(s) for s in involved}
    return any(f.code == code and (f.value == office_id or f.file in files) for f in findings)


# Findings come from the checks' catalogue, so that their wording matches the validation's.


def _missing(office: Office, year: int) -> Finding:
    return finding(
        "submission-missing",
        f"{office.id}-{year}.xlsx",
        value=office.id,
        office=office.id,
        cluster=office.cluster,
        year=year,
    )


def _duplicate(office: Office, year: int, involved: list[Submission]) -> Finding:
    names = [file_label(s) for s in involved]
    return finding(
        "submission-duplicate",
        names[0],
        value=office.id,
        office=office.id,
        year=year,
        files=", ".join(names[:-1]) + " og " + names[-1],
    )
