"""`funding`: the co-financing per office and per municipality, and the grants."""

from __future__ import annotations

from rich.text import Text

from klyngerapport import danish
from klyngerapport.model import Funding
from klyngerapport.render.terminal.screen import heading, kr, new_table, number, out, show


def funding(f: Funding, council: str) -> None:
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
        table = new_table(
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
    table = new_table(
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
        table = new_table(("Bevillingsgiver", "left"), ("Modtager", "left"), ("Kr.", "right"))
        for g in grants:
            table.add_row(g.source, g.recipient, number(g.amount))
        table.add_section()
        total = sum(g.amount for g in grants)
        table.add_row(Text("I alt", style="bold"), "", Text(number(total), style="bold"))
        show(table)
