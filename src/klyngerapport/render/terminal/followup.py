"""`generate`: the Resumé, attainment per office, coverage gaps, errors and files written."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from klyngerapport.cutoff import status_title
from klyngerapport.model import Followup, IndicatorOutcome
from klyngerapport.render.phrases import coverage_headline
from klyngerapport.render.terminal.findings import feedback_files, findings
from klyngerapport.render.terminal.screen import (
    heading,
    new_table,
    number,
    out,
    percent,
    show,
    warnings,
)
from klyngerapport.status import IndicatorStatus, SubmissionStatus


def followup(f: Followup, outputs: dict[str, str], feedback: list[str] | None = None) -> None:
    """The Resumé, attainment per office, coverage gaps, the errors and the files written."""
    status = status_title(f.as_of)
    out.print(
        Text(
            f"Opfølgning på de regionale klyngekontorer {f.year} til {f.council}"
            + (f" – {status}" if status else ""),
            style="bold",
        )
    )
    participating = len(f.participating)
    heading("Resumé")
    table = new_table(
        ("Klyngekontor", "left"),
        ("Indberetning", "left"),
        ("Mål ✓  ~  ✗", "right"),
        ("Virks.", "right"),
        ("SMV", "right"),
        ("Kommuner", "right"),
        ("Kr./virks.", "right"),
    )
    for o in f.offices:
        goals = Text()
        for i, status in enumerate(
            (IndicatorStatus.MET, IndicatorStatus.PARTIAL, IndicatorStatus.NOT_MET)
        ):
            goals.append(("  " if i else "") + str(o.count(status)), style=status.colour.terminal)
        reached = o.municipalities_reached
        table.add_row(
            o.office.cluster,
            _submission(o.status),
            goals if o.reported else Text("–", style="dim"),
            _figure(o.companies),
            _figure(o.smes),
            f"{len(reached)}/{participating}" if reached is not None else "–",
            _figure(o.kr_per_company),
        )
    show(table)
    heading("Målopfyldelse")
    for o in f.offices:
        out.print(Text(f"{o.office.cluster} ({o.office.strength})", style="bold"))
        show(_indicator_table(o.indicators))
        if o.national_indicators:
            # The cluster's own contract with UFS: shown apart, never in the regional counts.
            out.print(Text("  Nationale mål (resultatkontrakt med UFS)", style="italic"))
            show(_indicator_table(o.national_indicators))
        out.print()

    if any(len(h.years) > 1 for h in f.history):
        _history(f)

    out.print(Text("Geografisk spredning", style="bold"))
    for o in f.offices:
        missed = o.municipalities_not_reached
        if missed is None:
            out.print(
                Text(f"{o.office.cluster}: {_unknown(o.status)}", style="dim"), soft_wrap=False
            )
        elif missed:
            out.print(
                Text(f"{o.office.cluster} har ikke nået: {', '.join(m.name for m in missed)}")
            )
    out.print(
        Text(
            coverage_headline(f),
            style="green" if len(f.totals.full_coverage) == len(f.offices) else "yellow",
        )
    )
    totals = f.totals
    if totals.municipalities_not_reached:
        names = ", ".join(m.name for m in totals.municipalities_not_reached)
        out.print(Text(f"Kommuner, som intet klyngekontor har nået: {names}", style="bold yellow"))

    important = [x for x in f.findings if x.severity == "error"]
    if important:
        heading("Fejl, der skal rettes")
        findings(important)
    if f.warnings:
        # Warnings are counted beside an accepted submission, never folded into its status.
        by_office = ", ".join(f"{o.office.cluster} {o.warnings}" for o in f.offices if o.warnings)
        out.print(
            Text(
                f"{warnings(f.warnings)}"
                + (f" ({by_office})" if by_office else "")
                + " – se fanen Valideringsnoter i rapporten.",
                style="yellow",
            )
        )
    out.print()
    if feedback:
        feedback_files(feedback, [])
    for path in outputs.values():
        out.print(Text(f"Rapport skrevet: {path}", style="bold"), soft_wrap=True)


def _indicator_table(outcomes: tuple[IndicatorOutcome, ...]) -> Table:
    """One office's indicators (regional or national): target, result, percent and status."""
    table = new_table(
        ("  ID", "left"),
        ("Mål", "right"),
        ("Resultat", "right"),
        ("Pct.", "right"),
        ("Status", "left"),
    )
    for outcome in outcomes:
        unit = " kr." if outcome.indicator.unit == "kr." else ""
        status = outcome.status
        table.add_row(
            f"  {outcome.indicator.id}",
            "–" if outcome.target is None else number(outcome.target) + unit,
            "–" if outcome.result is None else number(outcome.result) + unit,
            percent(outcome.attainment),
            Text(f"{status.symbol} {status.label}", style=status.colour.terminal),
        )
    return table


def _history(f: Followup) -> None:
    """One line per office: its companies year by year and over the contract period."""
    out.print(Text("Udvikling i kontraktperioden", style="bold"))
    for h in f.history:
        years = []
        for y in h.years:
            if y.companies is None:
                years.append(f"{y.year}: {y.status.label.lower()}")
            elif y.returning_companies:
                years.append(
                    f"{y.year}: {number(y.companies)} ({number(y.new_companies or 0)} nye, "
                    f"{number(y.returning_companies)} igen)"
                )
            else:
                years.append(f"{y.year}: {number(y.companies)}")
        p = h.period
        span = f"{p.first}–{p.last}" if p.first != p.last else str(p.last)
        out.print(
            Text(
                f"{h.office.cluster}: virksomheder {'; '.join(years)}. I alt {span}: "
                f"{number(p.unique_companies)} forskellige virksomheder i "
                f"{len(p.municipalities_reached)} kommuner"
                + ("" if p.complete else " (ufuldstændigt: et år mangler eller har fejl)")
                + "."
            )
        )
    out.print()


def _submission(status: SubmissionStatus) -> Text:
    return Text(f"{status.symbol} {status.label}", style=status.colour.terminal)


def _figure(value: int | None) -> str:
    return "–" if value is None else number(value)


def _unknown(status: SubmissionStatus) -> str:
    if status is SubmissionStatus.MISSING:
        return "indberetningen mangler, så dækningen kendes ikke"
    return "indberetningen har fejl, så dækningen kendes ikke"
