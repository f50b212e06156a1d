"""Moderation verdicts. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Likelihood(IntEnum):
    """Google Cloud Vision's Likelihood, in its order."""

    UNKNOWN = 0
    VERY_UNLIKELY = 1
    UNLIKELY = 2
    POSSIBLE = 3
    LIKELY = 4
    VERY_LIKELY = 5

    @classmethod
    def parse(cls, name: str) -> Likelihood:
        return cls.__members__.get(name, cls.UNKNOWN)


@dataclass(frozen=True, slots=True)
class SafeSearch:
    adult: Likelihood = Likelihood.UNKNOWN
    spoof: Likelihood = Likelihood.UNKNOWN
    medical: Likelihood = Likelihood.UNKNOWN
    violence: Likelihood = Likelihood.UNKNOWN
    racy: Likelihood = Likelihood.UNKNOWN


# What refuses an image: adult, violent or racy content judged LIKELY or more. Spoof and
# medical do not (a parody poster, an anatomy exhibition are fine at a culture app).
REFUSED_CATEGORIES = ("adult", "violence", "racy")
REFUSE_FROM = Likelihood.LIKELY


def refused_for(verdict: SafeSearch) -> tuple[str, ...]:
    """The categories an image is refused for (empty: acceptable)."""
    return tuple(c for c in REFUSED_CATEGORIES if getattr(verdict, c) >= REFUSE_FROM)
