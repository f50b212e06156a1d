"""Levels from experience points: level n begins at 50·n·(n−1) XP (0, 100, 300, 600,
1000, ...), so each level takes 100 XP more than the one before."""

from __future__ import annotations

from math import isqrt

STEP = 50


def level_start(level: int) -> int:
    """Total XP at which `level` (1-based) begins."""
    return STEP * level * (level - 1)


def level_for(xp: int) -> int:
    """The level of a user with `xp` points (1 for none)."""
    if xp <= 0:
        return 1
    # Largest n with 50·n·(n−1) <= xp: n = floor((1 + sqrt(1 + 4·xp/50)) / 2), in integers.
    n = (1 + isqrt(1 + 4 * xp // STEP)) // 2
    while level_start(n + 1) <= xp:
        n += 1
    while level_start(n) > xp:
        n -= 1
    return n


def next_level_xp(xp: int) -> int:
    return level_start(level_for(xp) + 1)
