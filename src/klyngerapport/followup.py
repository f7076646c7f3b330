"""The follow-up model of a year (PRODUCT.md §5, §7): every figure a reader sees, computed once.

Pure: Submissions (with their findings, all produced by validation) + Config + Funding in, a
frozen Followup out. The terminal, JSON and XLSX renderers only format it. The rules the spec
leaves open, decided here and stated in the report:

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
- Attainment is compared exactly as the numbers were typed (80 of 100 with partial = 0.8 is
  "Delvist opfyldt") and shown as whole percent rounded down (9 of 8 is 112 %, 99.7 % is 99 %),
  so a shown figure never contradicts its status. A target of 0 is met by any result >= 0 and
  has no attainment percentage (None).
- An office whose submission is missing, duplicated or has errors reports nothing: every contract
  indicator is listed with its target and "Ikke indberettet", and its figures are None (unknown,
  not 0). Its company rows are listed as not counted. Totals then say they are incomplete, and
  ratios that would mix it with the others (kr. per company) are None. Files that belong to no
  office active in the year are not followed up; their findings are in the validation.
- The contract's targets win over the workbook's Mål; a derived indicator's result is the count
  (validation warns with `derived-differs` when the workbook says otherwise).
- Kr. per company and companies per 1.000 inhabitants are rounded half up, to whole kroner and
  to one decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from fractions import Fraction

from klyngerapport import danish
from klyngerapport.checks.derived import Counts, rows_by_id
from klyngerapport.config import Config
from klyngerapport.model import (
    Engagement,
    Followup,
    Funding,
    Indicator,
    IndicatorOutcome,
    IndicatorRow,
    Municipality,
    MunicipalityOutcome,
    Office,
    OfficeOutcome,
    SourceFile,
    Submission,
    Totals,
    Validation,
)
from klyngerapport.schema import DERIVED_SOURCE, SHEET_NATIONAL, result_source
from klyngerapport.status import IndicatorStatus, SubmissionStatus

Contract = list[tuple[Indicator, float]]


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
    """The follow-up of `year`: one outcome per office active in the year, per participating
    municipality and in total. `validation` holds every finding; nothing is added here."""
    participating = tuple(sorted(config.participating(year), key=lambda m: danish.sort_key(m.name)))
    codes = frozenset(m.code for m in participating)
    paid = {o.office.id: o.total for o in funding.offices}
    outcomes: list[OfficeOutcome] = []
    engagements: list[Engagement] = []
    counted: dict[str, Counts] = {}

    for office in config.active_offices(year):
        contract = config.contract(office.id, year)
        national = config.national_contract(office.id, year)
        # A file without a year in the year's folder belongs to the year (and has an error).
        mine = sorted(
            (
                s
                for s in validation.submissions
                if s.office_id == office.id and s.year in (year, None)
            ),
            key=lambda s: str(s.path),
        )
        accepted = len(mine) == 1 and mine[0].valid
        for sub in mine:
            engagements.extend(_engagements(office, sub, codes, accepted))
        if not accepted:
            status = SubmissionStatus.MISSING if not mine else SubmissionStatus.ERRORS
            outcomes.append(
                _not_reported(office, status, mine, contract, national, paid.get(office.id, 0))
            )
            continue
        counts = Counts.of(e.company for e in engagements if e.office_id == office.id and e.counted)
        counted[office.id] = counts
        outcomes.append(
            _accepted(
                office, mine[0], contract, national, counts, participating, config.partial, paid
            )
        )

    municipalities = _municipalities(participating, funding, outcomes, counted)
    outside = {
        e.company.municipality.code: e.company.municipality
        for e in engagements
        if e.company.municipality is not None and e.company.municipality.code not in codes
    }
    return Followup(
        year=year,
        region=config.region,
        council=config.council,
        offices=tuple(outcomes),
        municipalities=municipalities,
        totals=_totals(outcomes, municipalities, participating, funding, counted.values()),
        participating=participating,
        funding=funding,
        engagements=tuple(engagements),
        outside=tuple(sorted(outside.values(), key=lambda m: danish.sort_key(m.name))),
        outside_engagements=sum(
            1
            for e in engagements
            if e.company.municipality is not None and e.company.municipality.code in outside
        ),
        validation=validation,
        sources=sources,
        config_source=config_source,
        tool_version=tool_version,
        generated=generated,
        partial_threshold=config.partial,
    )


# --- one office --------------------------------------------------------------------------------


def _accepted(
    office: Office,
    sub: Submission,
    contract: Contract,
    national: Contract,
    counts: Counts,
    participating: tuple[Municipality, ...],
    partial: float,
    paid: Mapping[str, int],
) -> OfficeOutcome:
    rows = rows_by_id(sub.indicators)
    indicators: list[IndicatorOutcome] = []
    for indicator, target in contract:
        row = rows.get(indicator.id)
        comment = row.comment if row is not None else ""
        if indicator.derive is not None:
            count = float(counts.derived(indicator.derive))
            typed = row.result if row is not None and row.result != count else None
            indicators.append(
                _assess(indicator, target, count, DERIVED_SOURCE, partial, typed, comment)
            )
        else:
            result = row.result if row is not None else None
            indicators.append(
                _assess(indicator, target, result, _source(row), partial, None, comment)
            )
    cofinancing = paid.get(office.id, 0)
    return OfficeOutcome(
        office=office,
        status=SubmissionStatus.ACCEPTED,
        files=(_file(sub),),
        errors=sub.errors,
        warnings=sub.warnings,
        indicators=tuple(indicators),
        cofinancing=cofinancing,
        companies=counts.companies,
        smes=counts.smes,
        municipalities_reached=tuple(m for m in participating if m.code in counts.reach),
        municipalities_not_reached=tuple(m for m in participating if m.code not in counts.reach),
        companies_by_municipality={
            m.code: len(counts.reach[m.code]) for m in participating if m.code in counts.reach
        },
        kr_per_company=whole_kroner(cofinancing, counts.companies),
        national_indicators=_national(sub, national, partial),
    )


def _national(sub: Submission, contract: Contract, partial: float) -> tuple[IndicatorOutcome, ...]:
    """The national (UFS) contract: every result is a number the office reported on the
    Nationale mål sheet; nothing is counted from Virksomheder (PRODUCT.md §10)."""
    rows = rows_by_id(sub.national)
    out = []
    for indicator, target in contract:
        row = rows.get(indicator.id)
        result = row.result if row is not None else None
        comment = row.comment if row is not None else ""
        source = "" if row is None else result_source(row.result_cell, row.row, SHEET_NATIONAL)
        out.append(_assess(indicator, target, result, source, partial, None, comment))
    return tuple(out)


def _not_reported(
    office: Office,
    status: SubmissionStatus,
    subs: list[Submission],
    contract: Contract,
    national: Contract,
    cofinancing: int,
) -> OfficeOutcome:
    return OfficeOutcome(
        office=office,
        status=status,
        files=tuple(_file(s) for s in subs),
        errors=sum(s.errors for s in subs),
        warnings=sum(s.warnings for s in subs),
        indicators=tuple(
            IndicatorOutcome(i, target, None, None, IndicatorStatus.NOT_REPORTED)
            for i, target in contract
        ),
        cofinancing=cofinancing,
        companies=None,
        smes=None,
        municipalities_reached=None,
        municipalities_not_reached=None,
        companies_by_municipality=None,
        kr_per_company=None,
        national_indicators=tuple(
            IndicatorOutcome(i, target, None, None, IndicatorStatus.NOT_REPORTED)
            for i, target in national
        ),
    )


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


def _file(sub: Submission) -> str:
    """The file as its findings name it (the reader's label), else its name."""
    return next((f.file for f in sub.findings if f.file), sub.path.name)


def _source(row: IndicatorRow | None) -> str:
    return "" if row is None else result_source(row.result_cell, row.row)


# --- municipalities and totals -------------------------------------------------------------------


def _municipalities(
    participating: tuple[Municipality, ...],
    funding: Funding,
    offices: list[OfficeOutcome],
    counted: Mapping[str, Counts],
) -> tuple[MunicipalityOutcome, ...]:
    complete = all(o.reported for o in offices)
    paying = {m.municipality.code: m for m in funding.municipalities}
    out = []
    for m in participating:
        reached: set[str] = set()
        for counts in counted.values():
            reached |= counts.reach.get(m.code, frozenset())
        money = paying.get(m.code)
        population = money.population if money is not None else 0
        out.append(
            MunicipalityOutcome(
                municipality=m,
                population=population,
                as_lead=money.as_lead if money is not None else 0,
                as_cofinancer=money.as_cofinancer if money is not None else 0,
                companies_by_office={
                    o.office.id: (
                        (o.companies_by_municipality or {}).get(m.code, 0) if o.reported else None
                    )
                    for o in offices
                },
                companies=len(reached),
                companies_per_1000=per_thousand(len(reached), population),
                complete=complete,
            )
        )
    return tuple(out)


def _totals(
    offices: list[OfficeOutcome],
    municipalities: tuple[MunicipalityOutcome, ...],
    participating: tuple[Municipality, ...],
    funding: Funding,
    counted: Iterable[Counts],
) -> Totals:
    cvrs: set[str] = set()
    smes: set[str] = set()
    for counts in counted:
        cvrs |= counts.cvrs
        smes |= counts.sme_cvrs
    missing = tuple(o.office for o in offices if not o.reported)
    complete = not missing
    reached = {m.municipality.code for m in municipalities if m.companies}
    population = sum(m.population for m in municipalities)
    cofinancing = sum(o.cofinancing for o in offices)
    return Totals(
        complete=complete,
        not_reported=missing,
        accepted=len(offices) - len(missing),
        companies=len(cvrs),
        smes=len(smes),
        municipalities_reached=tuple(m for m in participating if m.code in reached),
        municipalities_not_reached=tuple(m for m in participating if m.code not in reached),
        full_coverage=tuple(
            o.office for o in offices if o.reported and not o.municipalities_not_reached
        ),
        cofinancing=cofinancing,
        kr_per_company=whole_kroner(cofinancing, len(cvrs)) if complete else None,
        population=population,
        companies_per_1000=per_thousand(len(cvrs), population),
        indicators={s: sum(o.count(s) for o in offices) for s in IndicatorStatus},
    )


# --- arithmetic ----------------------------------------------------------------------------------


def status_of(
    target: float, result: float | None, partial: float
) -> tuple[int | None, IndicatorStatus]:
    """(attainment as shown, status) of a result against a target; see the module docstring."""
    if result is None:
        return None, IndicatorStatus.NOT_REPORTED
    # repr() gives the shortest decimal that round-trips, so 0.8 is compared as 4/5 exactly.
    exact_result, exact_target = Fraction(repr(result)), Fraction(repr(target))
    if exact_target == 0:
        return None, IndicatorStatus.MET if exact_result >= 0 else IndicatorStatus.NOT_MET
    shown = int(exact_result * 100 // exact_target)  # floor: 99.7 % is 99 %, never 100 %
    if exact_result >= exact_target:
        return shown, IndicatorStatus.MET
    if exact_result >= Fraction(repr(partial)) * exact_target:
        return shown, IndicatorStatus.PARTIAL
    return shown, IndicatorStatus.NOT_MET


def whole_kroner(amount: int, companies: int) -> int | None:
    """amount / companies in whole kroner, half up; None without companies."""
    if companies <= 0:
        return None
    return int(Fraction(amount, companies) + Fraction(1, 2))


def per_thousand(companies: int, population: int) -> float | None:
    """Companies per 1.000 inhabitants to one decimal, half up; None without a population."""
    if population <= 0:
        return None
    tenths = Fraction(companies * 10_000, population) + Fraction(1, 2)
    return int(tenths) / 10


def _assess(
    indicator: Indicator,
    target: float,
    result: float | None,
    source: str,
    partial: float,
    typed: float | None,
    comment: str,
) -> IndicatorOutcome:
    attainment, status = status_of(target, result, partial)
    return IndicatorOutcome(
        indicator,
        target,
        result,
        attainment,
        status,
        source if result is not None else "",
        typed,
        comment,
    )
