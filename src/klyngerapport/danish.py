"""Numbers as Danish readers write them: '.' groups thousands, ',' is the decimal mark."""

from __future__ import annotations


def number(value: float, decimals: int | None = None, fixed: bool = False) -> str:
    """1234567 -> '1.234.567'; 12.5 -> '12,5'; with `decimals`, fractions are rounded to it,
    and with `fixed` too every number shows that many decimals (7.6 -> '7,60')."""
    if isinstance(value, int) and not (fixed and decimals):  # any size: no float conversion
        return f"{value:,}".replace(",", ".")
    if float(value).is_integer() and not (fixed and decimals):
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{decimals}f}" if decimals is not None else f"{value:,}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


# æ, ø and å come after z in Danish; the characters right after "z" in ASCII stand in for them.
_ALPHABET_END = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def sort_key(name: str) -> str:
    """Sort key for names in Danish alphabetical order (Køge after Kalundborg, Ærø last)."""
    return name.casefold().translate(_ALPHABET_END)
