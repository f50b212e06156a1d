"""The badges and when they are earned: pure functions of a user's progress and the fact
just recorded. The service records each badge once (the first fact that earns it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from services.gamification.domain.calendar import moscow_hour
from services.gamification.domain.rules import Fact

DISTRICTS_TO_EXPLORE = 3  # distinct districts of one city
X5 = 5


@dataclass(frozen=True, slots=True)
class Progress:
    """A user's progress after the fact was recorded."""

    level: int = 1
    # Facts recorded per kind (capped ones too: a capped review is still a review).
    facts: dict[str, int] = field(default_factory=dict)
    # Distinct events visited per category.
    visited_by_category: dict[str, int] = field(default_factory=dict)
    # Distinct districts visited per city.
    districts_by_city: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Badge:
    id: str
    names: dict[str, str]
    description: str
    earned: Callable[[Progress, Fact], bool]
    level: int = 0  # for level badges


def _visited(category: str) -> Callable[[Progress, Fact], bool]:
    return lambda p, f: p.visited_by_category.get(category, 0) >= X5


BADGES: tuple[Badge, ...] = (
    Badge("first-ticket", {"ru": "Первый билет", "en": "First ticket"}, "Bought a first ticket",
          lambda p, f: p.facts.get("ticket_paid", 0) >= 1),
    Badge("first-review", {"ru": "Первый отзыв", "en": "First review"}, "Wrote a first review",
          lambda p, f: p.facts.get("review", 0) >= 1),
    Badge("critic", {"ru": "Критик", "en": "Critic"}, "Wrote 10 reviews",
          lambda p, f: p.facts.get("review", 0) >= 10),
    Badge("first-check-in", {"ru": "Я здесь!", "en": "I'm here!"}, "Checked in at an event for the first time",
          lambda p, f: p.facts.get("check_in", 0) >= 1),
    Badge("theatre-goer", {"ru": "Театрал", "en": "Theatre-goer"}, "Went to 5 different plays",
          _visited("theatre")),
    Badge("music-lover", {"ru": "Меломан", "en": "Music lover"}, "Went to 5 different concerts",
          _visited("concert")),
    Badge("museum-lover", {"ru": "Завсегдатай музеев", "en": "Museum regular"},
          "Went to 5 different exhibitions", _visited("exhibition")),
    Badge("night-owl", {"ru": "Сова", "en": "Night owl"}, "Did something between midnight and 5 am (Moscow)",
          lambda p, f: moscow_hour(f.time) < 5),
    Badge("district-explorer", {"ru": "Исследователь районов", "en": "District explorer"},
          f"Went to events in {DISTRICTS_TO_EXPLORE} different districts of a city",
          lambda p, f: any(n >= DISTRICTS_TO_EXPLORE for n in p.districts_by_city.values())),
    Badge("two-capitals", {"ru": "Две столицы", "en": "Two capitals"}, "Went to events in Moscow and Saint Petersburg",
          lambda p, f: len([c for c, n in p.districts_by_city.items() if n > 0 and c in ("moscow", "spb")]) == 2),
    Badge("sharer", {"ru": "Глашатай", "en": "Herald"}, "Shared 10 events",
          lambda p, f: p.facts.get("share", 0) >= 10),
    Badge("collector", {"ru": "Коллекционер", "en": "Collector"}, "Added 10 events to favourites",
          lambda p, f: p.facts.get("favourite", 0) >= 10),
    Badge("level-5", {"ru": "Уровень 5", "en": "Level 5"}, "Reached level 5", lambda p, f: p.level >= 5, level=5),
    Badge("level-10", {"ru": "Уровень 10", "en": "Level 10"}, "Reached level 10", lambda p, f: p.level >= 10,
          level=10),
)
BADGES_BY_ID = {b.id: b for b in BADGES}


def earned(progress: Progress, fact: Fact, already: set[str]) -> list[Badge]:
    """Badges the user holds after `fact` and did not hold before."""
    return [b for b in BADGES if b.id not in already and b.earned(progress, fact)]
