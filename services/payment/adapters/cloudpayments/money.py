"""CloudPayments' amounts (rubles, two decimals) <-> ours (integer kopecks)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def to_rubles(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / 100).quantize(Decimal("0.01"))


def to_kopecks(rubles: str) -> int:
    """Kopecks of an amount as CloudPayments writes it ("1500.00", "1500.5", "1500");
    ValueError for anything else, fractions of a kopeck included."""
    try:
        value = Decimal(rubles.strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {rubles!r}") from exc
    kopecks = value * 100
    if not value.is_finite() or kopecks != kopecks.to_integral_value() or value < 0:
        raise ValueError(f"not an amount in kopecks: {rubles!r}")
    return int(kopecks)
