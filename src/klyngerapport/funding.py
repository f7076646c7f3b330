"""Co-financing of the regional cluster offices: who pays what, in whole kroner.

For each office active in the year the lead municipality pays `lead_share`; the rest of
`amount_per_office` is split among the other participating municipalities in proportion to their
population in the reference quarter. The split is in integer arithmetic with the largest-remainder
(Hamilton) method, so an office's shares add up to its amount exactly; equal remainders go to the
lower municipality code, which makes the result independent of input order.
"""

from __future__ import annotations

from collections.abc import Mapping

from klyngerapport.config import Config
from klyngerapport.errors import PopulationError
from klyngerapport.model import Funding, MunicipalityFunding, OfficeFunding, Population, Share
from klyngerapport.population import for_year
from klyngerapport.reference import municipalities


def split(amount: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split `amount` kr. over keys (municipality codes) in proportion to `weights`.

    Whole kroner, largest remainder first, ties to the lower key. Sums to `amount` exactly.
    """
    if amount < 0:
        raise ValueError("amount must not be negative")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    total = sum(weights.values())
    if not weights:
        if amount:
            raise ValueError("nobody to split a non-zero amount between")
        return {}
    if total == 0:
        raise ValueError("weights add up to zero")
    floors: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    for key, weight in weights.items():
        quotient, remainder = divmod(amount * weight, total)
        floors[key] = quotient
        remainders.append((-remainder, key))
    left = amount - sum(floors.values())
    for _, key in sorted(remainders)[:left]:
        floors[key] += 1
    return floors


def compute(config: Config, year: int, population: Population) -> Funding:
    """The co-financing and grants of `year`."""
    index = municipalities()
    participating = {m.code for m in config.participating(year)}
    rest = config.amount_per_office - config.lead_share
    office_rows: list[OfficeFunding] = []
    as_lead: dict[int, int] = {}
    as_cofinancer: dict[int, int] = {}
    for office in config.active_offices(year):
        lead = office.lead.code
        weights = {code: population.by_code[code] for code in sorted(participating) if code != lead}
        if rest and not any(weights.values()):
            raise PopulationError(
                f"Fordelingsnøglen kan ikke bruges for {office.cluster} i {year}: de "
                f"deltagende kommuner ud over leadkommunen {office.lead.name} har folketal 0 "
                f"i {population.quarter} ({population.source}).",
                "Ret folketallene i filen, eller hent kvartalet igen med "
                f"'klyngerapport population fetch {population.quarter}'.",
            )
        amounts = split(rest, weights)
        shares = [Share(office.lead, population.by_code[lead], config.lead_share, lead=True)]
        shares.extend(
            Share(index.by_code(code), weights[code], kr, lead=False)
            for code, kr in sorted(amounts.items())
        )
        office_rows.append(OfficeFunding(office, tuple(shares)))
        as_lead[lead] = as_lead.get(lead, 0) + config.lead_share
        for code, kr in amounts.items():
            as_cofinancer[code] = as_cofinancer.get(code, 0) + kr
    rows = tuple(
        MunicipalityFunding(
            m,
            population.by_code[m.code],
            m.code in participating,
            as_lead.get(m.code, 0),
            as_cofinancer.get(m.code, 0),
        )
        for m in index.municipalities
    )
    grants = tuple(g for g in config.grants if g.active(year))
    return Funding(year, population, tuple(office_rows), rows, grants)


def funding_of_year(config: Config, year: int) -> Funding:
    """`funding YEAR`: the year's split on the population of the configured quarter."""
    return compute(config, year, for_year(config, year))
