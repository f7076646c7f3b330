"""Sheet 4, Finansiering: the co-financing of `funding YEAR` and the year's grants."""

from __future__ import annotations

from klyngerapport import danish
from klyngerapport.model import Followup, Grant
from klyngerapport.render.xlsx.cells import COUNT, MONEY, MONEY_DECIMALS, Sheet, bold
from klyngerapport.render.xlsx.layout import Col, Layout


def build(f: Followup, ws: Sheet) -> Layout:
    funding = f.funding
    basis = funding.population.basis_text()
    layout = Layout(
        f"Kommunal medfinansiering af klyngekontorerne {f.year} og bevillinger. {basis}."
    )
    layout.section(f"Medfinansiering {f.year} pr. kommune og klyngekontor (kr.)")
    offices = funding.offices
    paid = {(o.office.id, s.municipality.code): s.amount for o in offices for s in o.shares}
    # Office columns as wide as the grant table's text columns below them.
    columns = [
        Col("Kommune", cap=18),
        Col("Folketal", COUNT, min_width=14),
        Col("Deltager", min_width=10, align="center"),
        *(Col(o.office.cluster, MONEY, cap=14, min_width=14) for o in offices),
        Col("Heraf som leadkommune", MONEY, cap=14, min_width=13),
        Col("Heraf som medfinansierer", MONEY, cap=14, min_width=13),
        Col("I alt", MONEY, min_width=14),
        Col("Kr. pr. indbygger", MONEY_DECIMALS, cap=12, min_width=12),
    ]
    rows = [
        [
            m.municipality.name,
            m.population,
            "Ja" if m.participating else "Nej",
            *(paid.get((o.office.id, m.municipality.code), 0) for o in offices),
            m.as_lead,
            m.as_cofinancer,
            m.total,
            m.per_inhabitant,
        ]
        for m in sorted(funding.municipalities, key=lambda m: danish.sort_key(m.municipality.name))
    ]
    layout.table("tblFinansiering", columns, rows, freeze=True)
    # The population total is that of the municipalities the split covers (PRODUCT.md §4).
    layout.row(
        bold("I alt, deltagende"),
        bold(funding.covered_population, COUNT),
        None,
        *(bold(o.total, MONEY) for o in offices),
        bold(sum(m.as_lead for m in funding.municipalities), MONEY),
        bold(sum(m.as_cofinancer for m in funding.municipalities), MONEY),
        bold(funding.total_municipal, MONEY),
    )
    layout.note(
        "Leadkommunen betaler sin faste andel til sit eget klyngekontor; resten fordeles "
        "efter folketal på de øvrige deltagende kommuner i hele kroner (største rest)."
    )
    outside = [m.municipality.name for m in funding.municipalities if not m.participating]
    if outside:
        layout.note(f"Deltager ikke i medfinansieringen: {', '.join(outside)} (betaler 0 kr.).")

    regional = funding.grants_in("regional")
    national = funding.grants_in("national")
    if regional:
        _grants(
            layout,
            f.year,
            f"Bevillinger {f.year} til klyngernes arbejde i regionen",
            "tblBevillingerRegion",
            regional,
        )
    if national:
        _grants(
            layout,
            f.year,
            f"Til sammenligning: nationale bevillinger {f.year} til alle klyngeorganisationer",
            "tblBevillingerNational",
            national,
        )
        layout.note(
            "De nationale bevillinger går til alle landets klyngeorganisationer og lægges "
            "ikke sammen med bevillingerne til arbejdet i regionen."
        )

    layout.blank()
    layout.note(
        f"{basis}. Folketal fra {funding.population.source}. Folketal i alt er de "
        "deltagende kommuners."
        + (f" {funding.population.rule_note}" if funding.population.rule_note else "")
    )
    return layout


def _grants(layout: Layout, year: int, heading: str, name: str, grants: tuple[Grant, ...]) -> None:
    """One group of grants with its own total right under it."""
    layout.blank()
    layout.section(heading)
    layout.table(
        name,
        [
            Col("Bevillingsgiver", cap=18, wrap=True),
            Col(f"Beløb {year}", MONEY, min_width=14),
            Col("Periode", min_width=10, align="center"),
            Col("Modtager", cap=14, wrap=True),
            Col("Formål", cap=14, wrap=True),
        ],
        [
            [
                g.source,
                g.amount,
                f"{g.first_year}–{g.last_year}"
                if g.first_year != g.last_year
                else str(g.first_year),
                g.recipient,
                g.purpose or None,
            ]
            for g in grants
        ],
        top=True,
    )
    layout.row(bold("I alt"), bold(sum(g.amount for g in grants), MONEY))
