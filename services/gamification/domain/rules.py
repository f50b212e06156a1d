"""The XP rules: ONE table of what earns points, how many, and how often a day.

A fact (something a user did, from user.action or a domain event) earns the points of
every rule of its kind, unless the rule's cap for that Moscow day (the fact's own day, so
a replay decides the same way) is already used up: then it is recorded with 0 XP, which
also keeps the replay from awarding it later. `once` rules are lifetime caps of 1."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class EventInfo:
    """What the catalog said of the event the fact is about (event.published)."""

    slug: str
    category: str
    city: str
    district: str | None  # "moscow:cao"; None outside the shipped polygons


@dataclass(frozen=True, slots=True)
class Fact:
    user_id: str
    # Unique per user and kind: the action id, the order id...
    source_id: str
    # view, search_click, favourite, share, review, check_in, ticket_paid
    kind: str
    time: datetime
    event: EventInfo | None = None

    @property
    def is_visit(self) -> bool:
        """Was the user there (the district explorer and the x5 badges count these)?"""
        return self.kind in VISIT_KINDS and self.event is not None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str  # the Fact.kind it rewards
    xp: int
    daily_cap: int | None = None  # awards a Moscow day; None: no cap
    once: bool = False  # a lifetime cap of one


RULES: tuple[Rule, ...] = (
    Rule("view", "view", xp=1, daily_cap=20),
    Rule("search-click", "search_click", xp=1, daily_cap=10),
    Rule("favourite", "favourite", xp=2, daily_cap=10),
    Rule("share", "share", xp=5, daily_cap=5),
    Rule("review", "review", xp=25, daily_cap=3),
    Rule("check-in", "check_in", xp=30, daily_cap=5),
    Rule("ticket", "ticket_paid", xp=20, daily_cap=5),
    Rule("first-ticket", "ticket_paid", xp=100, once=True),
)
RULES_BY_ID = {r.id: r for r in RULES}
VISIT_KINDS = frozenset({"check_in", "ticket_paid"})


@dataclass(frozen=True, slots=True)
class Award:
    rule: Rule
    xp: int  # 0 when capped

    @property
    def capped(self) -> bool:
        return self.xp == 0


def rules_for(kind: str) -> list[Rule]:
    return [r for r in RULES if r.kind == kind]


def decide(fact: Fact, awarded_today: Mapping[str, int], awarded_ever: Mapping[str, int]) -> list[Award]:
    """The awards of `fact`, given how many times each rule already paid out (XP > 0) on
    the fact's Moscow day and ever."""
    awards = []
    for rule in rules_for(fact.kind):
        if rule.once and awarded_ever.get(rule.id, 0) >= 1:
            continue  # nothing to record: a once-rule is not a cap to count against
        capped = rule.daily_cap is not None and awarded_today.get(rule.id, 0) >= rule.daily_cap
        awards.append(Award(rule, 0 if capped else rule.xp))
    return awards
