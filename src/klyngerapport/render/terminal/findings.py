"""`validate`: every finding, a verdict per file, and the feedback files written."""

from __future__ import annotations

from collections import defaultdict

from rich.text import Text

from klyngerapport.feedback_text import place, plain
from klyngerapport.model import FeedbackFiles, Finding, Submission, Validation
from klyngerapport.paths import display_path, readable
from klyngerapport.render.terminal.screen import out, warnings

_SEVERITY = {"error": Text("fejl", style="bold red"), "warning": Text("advarsel", style="yellow")}


def findings(items: list[Finding]) -> None:
    """Every finding by file, sheet and row, with place and company; one greppable line each."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(items, key=Finding.sort_key):
        by_file[finding.file].append(finding)
    for file, group in by_file.items():
        out.print(Text(file or "Indberetningsmappen", style="bold"), soft_wrap=True)
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
            out.print(line, soft_wrap=True)
        out.print()


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
        out.print(_verdict(sub), soft_wrap=True)
        if sub.path in written:
            workbook, text = written[sub.path]
            out.print(
                f"  Rettelser: {display_path(workbook)} (tekst til e-mailen: {text.name})",
                soft_wrap=True,
            )
    for finding in v.findings:
        if finding.code == "submission-missing":
            out.print(Text(f"✗ {finding.message}", style="red"), soft_wrap=True)
    files = "1 fil" if len(v.submissions) == 1 else f"{len(v.submissions)} filer"
    total = Text(f"{files}: {v.errors} fejl, {warnings(v.warnings)}", style="bold")
    out.print(total)
    if feedback is not None:
        feedback_files([], [display_path(p) for p in feedback.removed])


def feedback_files(written: list[str], removed: list[str]) -> None:
    """The feedback files a run wrote and the stale ones it removed."""
    for path in removed:
        out.print(f"Fjernede gammel tilbagemelding: {path}", soft_wrap=True)
    if written:
        head = (
            f"Rettelser til klyngekontorerne ({len(written)}), hver med en besked.txt til e-mailen:"
        )
        out.print(Text(head, style="bold"))
        for path in written:
            out.print(f"  {path}", soft_wrap=True)
