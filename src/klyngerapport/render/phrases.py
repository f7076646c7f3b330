"""Danish sentences about the follow-up model that every output prints the same way.

Phrasing only: the facts (who reached which municipalities, which offices reported) are the
model's; this module words them once so the terminal, the workbook and the documents agree.
"""

from __future__ import annotations

from klyngerapport.model import Followup, OfficeOutcome


def coverage_headline(f: Followup) -> str:
    """The source's principle, stated honestly: each office reaches all participating
    municipalities; an office that misses some is not covered by another office's reach."""
    n = len(f.participating)
    offices = len(f.offices)
    covered = len(f.totals.full_coverage)
    if offices and covered == offices:
        if offices == 1:
            return f"Klyngekontoret har nået virksomheder i alle {n} deltagende kommuner."
        return (
            f"Alle {offices} klyngekontorer har nået virksomheder i alle {n} deltagende kommuner."
        )
    text = (
        f"Hvert klyngekontor skal nå virksomheder i alle {n} deltagende kommuner: "
        f"{covered} af {offices} klyngekontorer har gjort det i {f.year}."
    )
    if f.totals.not_reported:
        text += " Klyngekontorer uden godkendt indberetning er ikke opgjort."
    return text


def office_coverage(o: OfficeOutcome, participating: int) -> str:
    """'13 af 16 – ikke nået: Lolland, Odsherred, Stevns', or why it is not known."""
    reached, missed = o.municipalities_reached, o.municipalities_not_reached
    if reached is None or missed is None:
        return f"Ikke opgjort ({o.status.label.lower()})"
    if not missed:
        return f"Alle {participating}"
    return f"{len(reached)} af {participating} – ikke nået: {', '.join(m.name for m in missed)}"
