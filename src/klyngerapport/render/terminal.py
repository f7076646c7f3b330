"""Everything the user sees in the terminal. The only module that imports Rich.

Rich respects NO_COLOR and switches colours off when output is not a terminal.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from klyngerapport import danish
from klyngerapport.model import (
    MET,
    NOT_MET,
    NOT_REPORTED,
    PARTIAL,
    SUBMISSION_ERRORS,
    SUBMISSION_MISSING,
    SUBMISSION_OK,
    SUBMISSION_WARNINGS,
    Finding,
    Followup,
    Funding,
    Validation,
)
from klyngerapport.paths import readable

EXAMPLES_PER_CODE = 3

_out = Console(highlight=False)
_err = Console(stderr=True, highlight=False)


def kr(amount: float) -> str:
    """1234567 -> '1.234.567 kr.' (Danish thousands separator)."""
    return f"{number(amount)} kr."


def number(value: float) -> str:
    return danish.number(value, decimals=1)


def percent(value: float | None, boundaries: tuple[float, ...] = (1.0,)) -> str:
    """Attainment in whole percent, as the report's 0% format shows it.

    Where rounding would reach a status boundary the value does not (79.6 % with the 80 %
    threshold, 99.7 % of a target), one decimal, rounded down, keeps the figure and its status
    in agreement: "79,6 %" next to "Ikke opfyldt", never "80 %".
    """
    if value is None:
        return "–"
    shown = round(value * 100)
    if any(value < b <= shown / 100 for b in boundaries):
        return f"{math.floor(value * 1000) / 10:.1f} %".replace(".", ",")
    return f"{shown:.0f} %"


def warnings(count: int) -> str:
    return "1 advarsel" if count == 1 else f"{count} advarsler"


def error(message: str, hint: str = "") -> None:
    # soft_wrap: a message is one logical line, so it can be copied and grepped whole.
    _err.print(Text("Fejl: ", style="bold red") + Text(message), soft_wrap=True)
    if hint:
        _err.print(Text(hint, style="yellow"), soft_wrap=True)


def info(message: str) -> None:
    _out.print(message, soft_wrap=True)


def debug_traceback() -> None:
    _err.print_exception()


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on stderr, shown only in a terminal and when there are 5 files or more."""
    if not _err.is_terminal:
        yield lambda done, total, name: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=_err,
        transient=True,
    )
    task = bar.add_task("", total=None)

    def update(done: int, total: int, name: str) -> None:
        if total >= 5 and not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total, description=name)

    try:
        yield update
    finally:
        bar.stop()


# --- funding --------------------------------------------------------------------------------


_NO_WRAP = {"Lead", "Indberetning", "Status"}


def _table(*columns: tuple[str, str]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
    for i, (name, justify) in enumerate(columns):
        # Names and numbers are never wrapped; only long descriptive columns may be.
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=i == 0 or justify == "right" or name in _NO_WRAP,
        )
    return table


def heading(text: str) -> None:
    _out.print()
    _out.print(Text(text, style="bold"))


def funding(f: Funding, council: str) -> None:
    out = _out
    out.print(
        Text(f"Medfinansiering af de regionale klyngekontorer {f.year} ({council})", style="bold")
    )
    out.print(f.population.basis_text())
    if f.population.rule_note:
        out.print(f.population.rule_note)
    if not f.offices:
        out.print(
            f"Intet klyngekontor er aktivt i {f.year}, så der er ingen kommunal "
            "medfinansiering det år."
        )
        _grants(f)
        return
    for office in f.offices:
        heading(
            f"{office.office.cluster} ({office.office.id}), leadkommune {office.office.lead.name}"
        )
        table = _table(
            ("Kommune", "left"), ("Folketal", "right"), ("Andel", "right"), ("Kr.", "right")
        )
        cofin_pop = sum(s.population for s in office.shares if not s.lead)
        for share in office.shares:
            if share.lead:
                table.add_row(
                    f"{share.municipality.name} (lead)",
                    number(share.population),
                    "lead",
                    number(share.amount),
                )
            else:
                pct = 100 * share.population / cofin_pop if cofin_pop else 0.0
                table.add_row(
                    share.municipality.name,
                    number(share.population),
                    f"{pct:.2f} %".replace(".", ","),
                    number(share.amount),
                )
        table.add_section()
        table.add_row(Text("I alt", style="bold"), "", "", Text(number(office.total), style="bold"))
        out.print(table)

    heading(f"Pr. kommune {f.year} (kr.)")
    table = _table(
        ("Kommune", "left"),
        ("Kode", "right"),
        ("Folketal", "right"),
        ("Som lead", "right"),
        ("Medfin.", "right"),
        ("I alt", "right"),
        ("Kr./indb.", "right"),
    )
    for m in f.municipalities:
        name = m.municipality.name + ("" if m.participating else " *")
        per_inhabitant = f"{m.total / m.population:.2f}".replace(".", ",") if m.population else "–"
        table.add_row(
            name,
            f"{m.municipality.code:03d}",
            number(m.population),
            number(m.as_lead),
            number(m.as_cofinancer),
            number(m.total),
            per_inhabitant,
            style=None if m.participating else "dim",
        )
    table.add_section()
    table.add_row(
        Text("I alt", style="bold"),
        "",
        number(f.covered_population),
        number(sum(m.as_lead for m in f.municipalities)),
        number(sum(m.as_cofinancer for m in f.municipalities)),
        Text(number(f.total_municipal), style="bold"),
        "",
    )
    out.print(table)
    outside = [m.municipality.name for m in f.municipalities if not m.participating]
    if outside:
        out.print(
            f"* Deltager ikke i medfinansieringen: {', '.join(outside)} (betaler 0 kr.). "
            "Folketal i alt er de deltagende kommuners."
        )

    _grants(f)
    out.print()
    out.print(
        Text(f"Kommunal medfinansiering i alt {f.year}: {kr(f.total_municipal)}", style="bold")
    )


def _grants(f: Funding) -> None:
    out = _out
    if f.grants:
        heading(f"Bevillinger {f.year} (kr.)")
        table = _table(("Bevilliger", "left"), ("Modtager", "left"), ("Kr.", "right"))
        for g in f.grants:
            table.add_row(g.source, g.recipient, number(g.amount))
        table.add_section()
        table.add_row(Text("I alt", style="bold"), "", Text(number(f.total_grants), style="bold"))
        out.print(table)


# --- findings ---------------------------------------------------------------------------------

_SEVERITY = {"error": Text("fejl", style="bold red"), "warning": Text("advarsel", style="yellow")}


def findings(items: list[Finding], examples: int = EXAMPLES_PER_CODE) -> None:
    """Findings grouped by code with a count and the first examples, most severe first."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(items, key=Finding.sort_key):
        groups[finding.code].append(finding)
    order = sorted(groups, key=lambda c: (groups[c][0].severity != "error", -len(groups[c]), c))
    for code in order:
        group = groups[code]
        head = Text()
        head.append_text(_SEVERITY[group[0].severity])
        head.append(f"  {code}", style="bold")
        head.append(f"  ({len(group)})")
        _out.print(head)
        for finding in group[:examples]:
            # The message itself names sheet and cell ("Virksomheder!A7: ..."); the file is above.
            _out.print(Text(f"    {finding.file}", style="dim"), soft_wrap=True)
            _out.print(Text(f"    {finding.message}"), soft_wrap=True)
        if len(group) > examples:
            _out.print(
                Text(
                    f"    … og {len(group) - examples} mere af samme slags (se alle med --json)",
                    style="dim",
                )
            )


def validation(v: Validation) -> None:
    items = v.all_findings()
    if items:
        findings(items)
        _out.print()
    for sub in v.submissions:
        label = readable(sub.path.name)
        who = " ".join(str(x) for x in (sub.office_id, sub.year) if x is not None)
        label += f" ({who})" if who else ""
        if sub.errors:
            verdict = Text(f"✗ {label}: {sub.errors} fejl, {warnings(sub.warnings)}", style="red")
        elif sub.warnings:
            verdict = Text(f"~ {label}: godkendt med {warnings(sub.warnings)}", style="yellow")
        else:
            verdict = Text(f"✓ {label}: godkendt", style="green")
        _out.print(verdict)
    for finding in v.findings:
        if finding.code == "submission-missing":
            _out.print(Text(f"✗ {finding.message}", style="red"), soft_wrap=True)
    files = "1 fil" if len(v.submissions) == 1 else f"{len(v.submissions)} filer"
    total = Text(f"{files}: {v.errors} fejl, {warnings(v.warnings)}", style="bold")
    _out.print(total)


# --- the annual orientation -----------------------------------------------------------------

_STATUS_STYLE = {
    MET: ("✓", "green"),
    PARTIAL: ("~", "yellow"),
    NOT_MET: ("✗", "red"),
    NOT_REPORTED: ("–", "dim"),
}
_SUBMISSION_STYLE = {
    SUBMISSION_OK: "green",
    SUBMISSION_WARNINGS: "yellow",
    SUBMISSION_ERRORS: "red",
    SUBMISSION_MISSING: "red",
}


_SUBMISSION_SHORT = {
    SUBMISSION_OK: "✓ godkendt",
    SUBMISSION_WARNINGS: "✓ advarsler",
    SUBMISSION_ERRORS: "✗ fejl",
    SUBMISSION_MISSING: "✗ mangler",
}


def followup(f: Followup, report: str) -> None:
    out = _out
    out.print(
        Text(f"Opfølgning på de regionale klyngekontorer {f.year} til {f.council}", style="bold")
    )
    participating = len(f.participating)
    heading("Resumé")
    table = _table(
        ("Klyngekontor", "left"),
        ("Lead", "left"),
        ("Indberetning", "left"),
        ("Mål ✓  ~  ✗", "right"),
        ("Virks.", "right"),
        ("SMV", "right"),
        ("Kommuner", "right"),
    )
    for o in f.offices:
        reported = o.status not in (SUBMISSION_ERRORS, SUBMISSION_MISSING)
        goals = Text()
        goals.append(f"{o.count(MET)}", style="green")
        goals.append(f"  {o.count(PARTIAL)}", style="yellow")
        goals.append(f"  {o.count(NOT_MET)}", style="red")
        table.add_row(
            o.office.id,
            o.office.lead.name,
            Text(
                _SUBMISSION_SHORT.get(o.status, o.status), style=_SUBMISSION_STYLE.get(o.status, "")
            ),
            goals if reported else Text("–", style="dim"),
            number(o.companies) if reported else "–",
            number(o.smes) if reported else "–",
            f"{len(o.municipalities_reached)}/{participating}" if reported else "–",
        )
    out.print(table)

    heading("Målopfyldelse")
    for o in f.offices:
        out.print(Text(f"{o.office.id} ({o.office.cluster})", style="bold"))
        table = _table(
            ("  ID", "left"),
            ("Mål", "right"),
            ("Resultat", "right"),
            ("Pct.", "right"),
            ("Status", "left"),
        )
        for outcome in o.indicators:
            mark, style = _STATUS_STYLE.get(outcome.status, ("?", ""))
            unit = " kr." if outcome.indicator.unit == "kr." else ""
            table.add_row(
                f"  {outcome.indicator.id}",
                "–" if outcome.target is None else number(outcome.target) + unit,
                "–" if outcome.result is None else number(outcome.result) + unit,
                percent(outcome.attainment, (1.0, f.partial_threshold)),
                Text(f"{mark} {outcome.status}", style=style),
            )
        out.print(table)
        out.print()

    out.print(Text("Geografisk spredning", style="bold"))
    reached = {m.code for o in f.offices for m in o.municipalities_reached}
    for o in f.offices:
        if o.status in (SUBMISSION_ERRORS, SUBMISSION_MISSING):
            continue
        own = {m.code for m in o.municipalities_reached}
        missing = [m.name for m in f.participating if m.code not in own]
        if missing:
            out.print(f"{o.office.id} har ikke nået: {', '.join(missing)}")
    unreached = [m.name for m in f.participating if m.code not in reached]
    if unreached:
        out.print(
            Text(
                f"Kommuner, som intet klyngekontor har nået: {', '.join(unreached)}",
                style="bold yellow",
            )
        )
    else:
        out.print(
            Text(
                f"Alle {participating} deltagende kommuner er nået af mindst ét klyngekontor.",
                style="green",
            )
        )

    important = [x for x in f.validation.all_findings() if x.severity == "error"]
    if important:
        heading("Fejl, der skal rettes")
        findings(important)
    if f.warnings:
        out.print(
            Text(f"{warnings(f.warnings)} – se fanen Valideringsnoter i rapporten.", style="yellow")
        )
    out.print()
    out.print(Text(f"Rapport skrevet: {report}", style="bold"))


def export_done(path: str, rows: int, skipped: tuple[str, ...]) -> None:
    """What `export` wrote, and on stderr what it left out."""
    for line in skipped:
        _err.print(Text("Ikke med: ", style="bold red") + Text(line), soft_wrap=True)
    engagements = "1 engagement" if rows == 1 else f"{number(rows)} engagementer"
    _out.print(Text(f"Skrev {path} ({engagements})", style="bold"), soft_wrap=True)
