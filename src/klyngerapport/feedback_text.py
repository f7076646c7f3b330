"""The words of the feedback to an office: the e-mail text (besked.txt) and Ret dette's intro.

Pure functions of the findings and the config's `[submission]`; no file is read or written here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from klyngerapport.model import Finding, SubmissionContact

# What to do about each kind of finding, in a few words: the "most frequent fixes" of the e-mail.
FIXES: dict[str, str] = {
    "file-unreadable": "Gem filen igen som Excel-projektmappe (.xlsx), og send den igen",
    "file-encrypted": "Fjern adgangskoden fra filen",
    "file-too-large": "Filen er for stor: gem kun fanerne fra skabelonen i en ny fil",
    "file-unsupported": "Send indberetningen som Excel-projektmappe (.xlsx) ud fra skabelonen",
    "sheet-missing": "Brug skabelonens faner med deres oprindelige navne",
    "sheet-ambiguous": "Slet eller omdøb den ekstra fane med samme navn",
    "column-missing": "Tilføj de manglende kolonner (som i skabelonen)",
    "office-missing": "Skriv klyngekontorets id i fanen Indberetning",
    "office-unknown": "Ret klyngekontorets id i fanen Indberetning",
    "year-missing": "Skriv indberetningsåret i fanen Indberetning",
    "year-mismatch": "Ret året i fanen Indberetning, eller send filen for det rigtige år",
    "submission-duplicate": "Send kun én fil for året",
    "submission-missing": "Send indberetningen",
    "indicator-unknown": "Ret eller slet indikatorrækker, der ikke står i resultatkontrakten",
    "result-missing": "Udfyld de manglende resultater i fanen Indikatorer (0, hvis der intet er)",
    "result-not-number": "Skriv resultaterne som rene tal, fx 40",
    "result-negative": "Ret negative resultater (et resultat er 0 eller derover)",
    "cell-merged": "Ophæv flettede celler i fanen Virksomheder, og udfyld hver række",
    "companies-none": "Udfyld fanen Virksomheder med de virksomheder, I har haft aktiviteter med",
    "date-after-cutoff": "Tjek aktiviteter dateret efter opgørelsesdatoen",
    "formula-no-value": "Åbn og gem filen i Excel, så formlerne får en værdi",
    "target-differs": "Lad målene stå, som de er i skabelonen",
    "derived-differs": "Lad resultater, der beregnes ud fra fanen Virksomheder, stå tomme",
    "cvr-invalid": "Ret CVR-numre, så de har 8 cifre",
    "cvr-checksum": "Tjek CVR-numrene på virk.dk (kontrolcifferet passer ikke)",
    "municipality-unknown": "Vælg virksomhedens kommune på listen",
    "municipality-outside": "Tjek virksomheder fra kommuner uden for samarbejdet",
    "sme-invalid": 'Skriv "Ja" eller "Nej" i kolonnen SMV',
    "activity-unknown": "Vælg aktiviteten på listen",
    "date-invalid": "Skriv datoerne som dd-mm-åååå",
    "date-outside-year": "Ret datoer, der ligger uden for indberetningsåret",
    "date-as-text": "Formatér datoerne som datoer, ikke som tekst",
    "row-duplicate": "Slet dobbelte rækker (samme CVR-nummer, aktivitet og dato)",
    "name-missing": "Skriv virksomhedernes navne",
    "number-as-text": "Skriv tal uden punktum og tekst",
}
TOP_FIXES = 3
_WHOLE_ROW = re.compile(r"(\d+):\1")


def place(f: Finding) -> str:
    """Where a finding is, as a person reads it: "Virksomheder!A7", "Virksomheder række 7"."""
    if f.sheet is None:
        return "Hele filen"
    if f.cell and _WHOLE_ROW.fullmatch(f.cell):
        return f"{f.sheet} række {f.row}"
    return f"{f.sheet}!{f.cell}" if f.cell else f.sheet


def plain(f: Finding) -> str:
    """The message without its "Virksomheder!A7: " prefix (the place is shown beside it)."""
    if f.sheet:
        for prefix in (f"{f.sheet}!{f.cell}: ", f"{f.sheet}, række {f.row}: ", f"{f.sheet}: "):
            if f.message.startswith(prefix):
                return f.message[len(prefix) :]
    return f.message


@dataclass(frozen=True)
class Recipient:
    """Who the feedback is for and what it is about."""

    cluster: str | None  # the office's cluster name; None when the file names no known office
    person: str  # Kontaktperson from the workbook ("" when not given)
    file_name: str  # the file as received
    year: int | None
    workbook_name: str  # the feedback workbook's file name


def counts(findings: Sequence[Finding]) -> str:
    """'3 fejl og 1 advarsel', '2 fejl', '4 advarsler' (in the words of a sentence)."""
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = [f"{errors} fejl"] if errors else []
    if warnings or not errors:
        parts.append(f"{warnings} {'advarsel' if warnings == 1 else 'advarsler'}")
    return " og ".join(parts)


def top_fixes(findings: Sequence[Finding], n: int = TOP_FIXES) -> list[str]:
    """The `n` most frequent kinds of fix, errors before warnings, each with its count."""
    by_code = Counter(f.code for f in findings)
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.code, f)
    order = sorted(by_code, key=lambda c: (first[c].severity != "error", -by_code[c], c))
    out: list[str] = []
    for code in order[:n]:
        fix = FIXES.get(code) or first[code].message
        times = by_code[code]
        out.append(f"{fix} ({times} {'sted' if times == 1 else 'steder'})")
    return out


def deadline_text(contact: SubmissionContact, year: int | None) -> str:
    deadline = contact.deadline_for(year) if year is not None else None
    return deadline.strftime("%d-%m-%Y") if isinstance(deadline, dt.date) else ""


def intro_lines(
    recipient: Recipient, findings: Sequence[Finding], contact: SubmissionContact
) -> tuple[str, tuple[str, ...]]:
    """(title, lines) at the top of the Ret dette sheet."""
    year = f" {recipient.year}" if recipient.year is not None else ""
    who = f" fra {recipient.cluster}" if recipient.cluster else ""
    title = f"Ret dette – indberetning{year}{who}"
    lines = [
        f"Vi har tjekket filen {recipient.file_name} og fundet {counts(findings)}. "
        "Hver linje herunder er én ting, der skal rettes: klik på cellen i kolonnen "
        '"Celle" for at springe til den. Fejl er markeret med rødt og skal rettes; advarsler '
        "er gule og bør tjekkes. Holdes musen over en markeret celle, står det samme i en "
        "kommentar.",
        "Ret i fanerne efter denne fane (eller i jeres egen fil). Fanen Ret dette og "
        "markeringerne må gerne blive i filen.",
    ]
    send = _send_line(contact, recipient.year)
    if send:
        lines.append(send)
    return title, tuple(lines)


def _send_line(contact: SubmissionContact, year: int | None) -> str:
    parts = []
    deadline = deadline_text(contact, year)
    to = contact.email or contact.recipient
    if to or deadline:
        parts.append(
            "Send den rettede fil"
            + (f" til {to}" if to else "")
            + (f" senest {deadline}" if deadline else "")
            + "."
        )
    if contact.contact:
        parts.append(f"Spørgsmål: {contact.contact}.")
    return " ".join(parts)


def message(
    recipient: Recipient,
    findings: Sequence[Finding],
    contact: SubmissionContact,
    council: str,
) -> str:
    """The e-mail text that goes with the feedback workbook (besked.txt)."""
    year = f" for {recipient.year}" if recipient.year is not None else ""
    subject = f"Emne: Jeres indberetning{year} – rettelser"
    greeting = f"Kære {recipient.person or recipient.cluster or 'klyngekontor'}"
    errors = sum(1 for f in findings if f.severity == "error")
    received = f"Tak for jeres indberetning{year}. Vi har modtaget filen {recipient.file_name}"
    received += f" fra {recipient.cluster}." if recipient.cluster else "."
    warnings = len(findings) - errors
    found = f"Vi har tjekket den og fundet {counts(findings)}."
    if errors and warnings:
        verdict = (
            f"{found} Fejlene skal rettes, før indberetningen kan godkendes; advarslerne bør I "
            "se på."
        )
    elif errors:
        what = "Fejlen" if errors == 1 else "Fejlene"
        verdict = f"{found} {what} skal rettes, før indberetningen kan godkendes."
    else:
        verdict = f"{found} Indberetningen kan godkendes, men se gerne på advarslerne."
    fixes = "\n".join(f"- {fix}" for fix in top_fixes(findings))
    attached = (
        f"Alle rettelser står i den vedhæftede fil {recipient.workbook_name}: fanen "
        '"Ret dette" har en linje for hver rettelse med et link til cellen, og cellerne er '
        "markeret med rødt (fejl) eller gult (advarsel) og har en kommentar."
    )
    paragraphs = [
        subject,
        greeting,
        received,
        verdict,
        f"Det, der oftest skal rettes:\n{fixes}",
        attached,
    ]
    send = _send_line(contact, recipient.year)
    if send:
        paragraphs.append(send)
    sender = contact.recipient or council
    paragraphs.append(f"Venlig hilsen\n{sender}")
    return "\n\n".join(paragraphs) + "\n"
