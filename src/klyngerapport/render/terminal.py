"""Everything the user sees in the terminal. The only module that imports Rich.

Rich respects NO_COLOR and switches colours off when output is not a terminal. Text from a
config, a file name or a submission is never read as Rich markup or emoji codes: the consoles
have markup and emoji off, and styling is done with Text objects. Tables keep every number
whole in a narrow terminal: numeric columns do not wrap and are as wide as their widest value,
text columns wrap, and a table wider than the terminal is printed whole rather than cut.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from klyngerapport import danish
from klyngerapport.console import fit
from klyngerapport.cutoff import status_title
from klyngerapport.feedback_text import place, plain
from klyngerapport.model import (
    Finding,
    Followup,
    Funding,
    IndicatorOutcome,
    IndicatorStatus,
    Progress,
    Submission,
    SubmissionStatus,
    Validation,
)
from klyngerapport.paths import display_path, readable
from klyngerapport.render.phrases import coverage_headline

if TYPE_CHECKING:
    from klyngerapport.feedback import FeedbackFiles

_out = Console(highlight=False, markup=False, emoji=False)
_err = Console(stderr=True, highlight=False, markup=False, emoji=False)


def kr(amount: float) -> str:
    """1234567 -> '1.234.567 kr.' (Danish thousands separator)."""
    return f"{number(amount)} kr."


def number(value: float) -> str:
    return danish.number(value, decimals=1)


def percent(attainment: int | None) -> str:
    """Attainment as the model shows it (whole percent, rounded down): 112 -> '112 %'."""
    return "–" if attainment is None else f"{danish.number(attainment)} %"


def warnings(count: int) -> str:
    return "1 advarsel" if count == 1 else f"{count} advarsler"


def error(message: str, hint: str = "") -> None:
    # soft_wrap: a message is one logical line, so it can be copied and grepped whole.
    _err.print(Text("Fejl: ", style="bold red") + Text(message), soft_wrap=True)
    if hint:
        _err.print(Text(hint, style="yellow"), soft_wrap=True)


def info(message: str) -> None:
    _out.print(Text(message), soft_wrap=True)


def debug_traceback() -> None:
    _err.print_exception()


@contextmanager
def progress(label: str) -> Iterator[Progress]:
    """A progress bar on stderr, shown only in a terminal and when there are 5 files or more."""
    if not _err.is_terminal:
        yield lambda done, total, name: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn(label, markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", markup=False),
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


def _table(*columns: tuple[str, str]) -> Table:
    """A table; right-justified columns hold numbers and amounts, which are never wrapped or
    cut (`show`). Text columns wrap."""
    head = box.SIMPLE_HEAD if fit("─", _out.encoding) == "─" else _ASCII_SIMPLE_HEAD
    table = _ConsoleTable(box=head, pad_edge=False, show_edge=False, collapse_padding=True)
    for name, justify in columns:
        table.add_column(
            fit(name, _out.encoding),
            justify=justify,  # type: ignore[arg-type]
            no_wrap=justify == "right",
            overflow="fold",
        )
    return table


# SIMPLE_HEAD drawn with "-": Rich would otherwise fall back to its ASCII box with "|" columns.
_ASCII_SIMPLE_HEAD = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)


class _ConsoleTable(Table):
    """A table whose rows hold what the console will really print: in a console that cannot
    write ✓ or æøå (cp1252, ASCII) their stand-ins ("OK", "ae") are put in before Rich measures
    the columns, so the columns stay aligned (klyngerapport.console)."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        super().add_row(*(_fit(r) if r is not None else None for r in renderables), **kwargs)


def _fit(cell: RenderableType) -> RenderableType:
    encoding = _out.encoding
    if isinstance(cell, str):
        return fit(cell, encoding)
    if not isinstance(cell, Text) or fit(cell.plain, encoding) == cell.plain:
        return cell
    pieces = [fit(c, encoding) for c in cell.plain]
    offsets = [0, *accumulate(len(p) for p in pieces)]
    fitted = Text(
        "".join(pieces),
        style=cell.style,
        justify=cell.justify,
        overflow=cell.overflow,
        no_wrap=cell.no_wrap,
        end=cell.end,
    )
    for span in cell.spans:
        fitted.stylize(span.style, offsets[span.start], offsets[span.end])
    return fitted


def show(table: Table) -> None:
    """Print a table with every number whole: numeric columns are as wide as their widest
    value; if the terminal is too narrow even when text wraps, the table is printed wider than
    the terminal (the terminal wraps the lines) rather than cutting a figure."""
    for column in table.columns:
        if column.no_wrap:
            cells = [*column.cells, column.header]
            column.min_width = max(
                (_cell_len(c) for c in cells),
                default=1,
            )
    needed = Measurement.get(_out, _out.options.update_width(10_000), table).minimum
    width = _out.width
    if needed <= width:
        _out.print(table)
        return
    _out.width = needed
    try:
        _out.print(table)
    finally:
        _out.width = width


def _cell_len(cell: object) -> int:
    if isinstance(cell, Text):
        return cell.cell_len
    return Text(str(cell)).cell_len if isinstance(cell, str) else 1


def heading(text: str) -> None:
    _out.print()
    _out.print(Text(text, style="bold"))


def funding(f: Funding, council: str) -> None:
    out = _out
    out.print(
        Text(f"Medfinansiering af de regionale klyngekontorer {f.year} ({council})", style="bold")
    )
    out.print(Text("\n".join(filter(None, (f.population.basis_text(), f.population.rule_note)))))
    if not f.offices:
        out.print(
            Text(
                f"Intet klyngekontor er aktivt i {f.year}, så der er ingen kommunal "
                "medfinansiering det år."
            )
        )
        _grants(f)
        return
    for office in f.offices:
        heading(f"{office.office.cluster}, leadkommune {office.office.lead.name}")
        table = _table(
            ("Kommune", "left"), ("Folketal", "right"), ("Andel", "right"), ("Kr.", "right")
        )
        for share in office.shares:
            if share.lead:
                table.add_row(
                    f"{share.municipality.name} (lead)",
                    number(share.population),
                    "lead",
                    number(share.amount),
                )
            else:
                pct = office.population_percent(share) or 0.0
                table.add_row(
                    share.municipality.name,
                    number(share.population),
                    f"{danish.number(pct, decimals=2, fixed=True)} %",
                    number(share.amount),
                )
        table.add_section()
        table.add_row(Text("I alt", style="bold"), "", "", Text(number(office.total), style="bold"))
        show(table)

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
        per_inhabitant = m.per_inhabitant
        table.add_row(
            name,
            f"{m.municipality.code:03d}",
            number(m.population),
            number(m.as_lead),
            number(m.as_cofinancer),
            number(m.total),
            "–"
            if per_inhabitant is None
            else danish.number(per_inhabitant, decimals=2, fixed=True),
            style=None if m.participating else "dim",
        )
    table.add_section()
    table.add_row(
        Text("I alt, deltagende", style="bold"),
        "",
        number(f.covered_population),
        number(sum(m.as_lead for m in f.municipalities)),
        number(sum(m.as_cofinancer for m in f.municipalities)),
        Text(number(f.total_municipal), style="bold"),
        "",
    )
    show(table)
    outside = [m.municipality.name for m in f.municipalities if not m.participating]
    if outside:
        note = "betaler 0 kr.; folketal i alt er de deltagende kommuners"
        out.print(Text(f"* Deltager ikke i medfinansieringen: {', '.join(outside)} ({note})."))

    _grants(f)
    out.print()
    out.print(
        Text(f"Kommunal medfinansiering i alt {f.year}: {kr(f.total_municipal)}", style="bold")
    )


def _grants(f: Funding) -> None:
    groups = (
        (f.grants_in("regional"), f"Bevillinger {f.year} til klyngernes arbejde i regionen (kr.)"),
        (f.grants_in("national"), f"Nationale bevillinger {f.year} til alle klyngerne (kr.)"),
    )
    for grants, title in groups:
        if not grants:
            continue
        heading(title)
        table = _table(("Bevillingsgiver", "left"), ("Modtager", "left"), ("Kr.", "right"))
        for g in grants:
            table.add_row(g.source, g.recipient, number(g.amount))
        table.add_section()
        total = sum(g.amount for g in grants)
        table.add_row(Text("I alt", style="bold"), "", Text(number(total), style="bold"))
        show(table)


# --- findings ---------------------------------------------------------------------------------

_SEVERITY = {"error": Text("fejl", style="bold red"), "warning": Text("advarsel", style="yellow")}


def findings(items: list[Finding]) -> None:
    """Every finding by file, sheet and row, with place and company; one greppable line each."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(items, key=Finding.sort_key):
        by_file[finding.file].append(finding)
    for file, group in by_file.items():
        _out.print(Text(file or "Indberetningsmappen", style="bold"), soft_wrap=True)
        for finding in group:
            line = Text("  ")
            line.append_text(_SEVERITY[finding.severity])
            line.append(" " * (9 - len(_SEVERITY[finding.severity].plain)))
            where = place(finding) if finding.sheet is not None else ""
            if finding.company:
                where += f" ({finding.company})"
            if where:
                line.append(where, style="bold")
                line.append(": ")
            line.append(plain(finding))
            line.append(f"  [{finding.code}]", style="dim")  # the code the README explains
            _out.print(line, soft_wrap=True)
        _out.print()


def _verdict(sub: Submission) -> Text:
    label = readable(sub.path.name)
    who = " ".join(str(x) for x in (sub.office_id, sub.year) if x is not None)
    label += f" ({who})" if who else ""
    if sub.errors:
        return Text(f"✗ {label}: {sub.errors} fejl, {warnings(sub.warnings)}", style="red")
    if sub.warnings:
        return Text(f"~ {label}: godkendt med {warnings(sub.warnings)}", style="yellow")
    return Text(f"✓ {label}: godkendt", style="green")


def validation(v: Validation, feedback: FeedbackFiles | None = None) -> None:
    """Every finding, a verdict per file with its feedback files (--feedback), the totals."""
    items = v.all_findings()
    if items:
        findings(items)
    written = {s: (w, t) for s, w, t in feedback.by_submission} if feedback else {}
    for sub in v.submissions:
        _out.print(_verdict(sub), soft_wrap=True)
        if sub.path in written:
            workbook, text = written[sub.path]
            _out.print(
                f"  Rettelser: {display_path(workbook)} (tekst til e-mailen: {text.name})",
                soft_wrap=True,
            )
    for finding in v.findings:
        if finding.code == "submission-missing":
            _out.print(Text(f"✗ {finding.message}", style="red"), soft_wrap=True)
    files = "1 fil" if len(v.submissions) == 1 else f"{len(v.submissions)} filer"
    total = Text(f"{files}: {v.errors} fejl, {warnings(v.warnings)}", style="bold")
    _out.print(total)
    if feedback is not None:
        feedback_files([], [display_path(p) for p in feedback.removed])


def feedback_files(written: list[str], removed: list[str]) -> None:
    """The feedback files a run wrote and the stale ones it removed."""
    for path in removed:
        _out.print(f"Fjernede gammel tilbagemelding: {path}", soft_wrap=True)
    if written:
        head = (
            f"Rettelser til klyngekontorerne ({len(written)}), hver med en besked.txt til e-mailen:"
        )
        _out.print(Text(head, style="bold"))
        for path in written:
            _out.print(f"  {path}", soft_wrap=True)


# --- the annual orientation -----------------------------------------------------------------


def followup(f: Followup, outputs: dict[str, str], feedback: list[str] | None = None) -> None:
    """The Resumé, attainment per office, coverage gaps, the errors and the files written."""
    out = _out
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
    table = _table(
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
        table = _table(
            ("  ID", "left"),
            ("Mål", "right"),
            ("Resultat", "right"),
            ("Pct.", "right"),
            ("Status", "left"),
        )
        _indicator_rows(table, o.indicators)
        show(table)
        if o.national_indicators:
            # The cluster's own contract with UFS: shown apart, never in the regional counts.
            out.print(Text("  Nationale mål (resultatkontrakt med UFS)", style="italic"))
            table = _table(
                ("  ID", "left"),
                ("Mål", "right"),
                ("Resultat", "right"),
                ("Pct.", "right"),
                ("Status", "left"),
            )
            _indicator_rows(table, o.national_indicators)
            show(table)
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


def _indicator_rows(table: Table, outcomes: tuple[IndicatorOutcome, ...]) -> None:
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


def _history(f: Followup) -> None:
    """One line per office: its companies year by year and over the contract period."""
    _out.print(Text("Udvikling i kontraktperioden", style="bold"))
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
        _out.print(
            Text(
                f"{h.office.cluster}: virksomheder {'; '.join(years)}. I alt {span}: "
                f"{number(p.unique_companies)} forskellige virksomheder i "
                f"{len(p.municipalities_reached)} kommuner"
                + ("" if p.complete else " (ufuldstændigt: et år mangler eller har fejl)")
                + "."
            )
        )
    _out.print()


def _submission(status: SubmissionStatus) -> Text:
    return Text(f"{status.symbol} {status.label}", style=status.colour.terminal)


def _figure(value: int | None) -> str:
    return "–" if value is None else number(value)


def _unknown(status: SubmissionStatus) -> str:
    if status is SubmissionStatus.MISSING:
        return "indberetningen mangler, så dækningen kendes ikke"
    return "indberetningen har fejl, så dækningen kendes ikke"


def export_done(path: str, rows: int, skipped: tuple[str, ...]) -> None:
    """What `export` wrote, and on stderr what it left out."""
    for line in skipped:
        _err.print(Text("Ikke med: ", style="bold red") + Text(line), soft_wrap=True)
    engagements = "1 engagement" if rows == 1 else f"{number(rows)} engagementer"
    _out.print(Text(f"Skrev {path} ({engagements})", style="bold"), soft_wrap=True)
