"""Recording a fact: its XP by the rules (daily caps, idempotent per source), the user's
total and level, their progress and the badges it earns (badge.earned via the outbox).
Runs inside the inbox consumer's transaction, so all of it commits with the message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kulturago.gamification.v1 import events_pb2
from services.gamification.domain.badges import Badge, Progress, earned
from services.gamification.domain.calendar import moscow_day
from services.gamification.domain.levels import level_for
from services.gamification.domain.rules import Award, Fact, decide, rules_for
from services.gamification.service_layer.ports import UnitOfWork
from services.runtime.timestamps import to_timestamp

BADGE_TOPIC = "badge.earned"
# A badge earned by an older fact (a first start reading the topics' history, a replay) is
# recorded quietly: announcing it would spam users with news of months ago.
ANNOUNCE_WITHIN = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class Outcome:
    duplicate: bool
    awards: tuple[Award, ...] = ()
    xp: int = 0
    level: int = 1
    badges: tuple[Badge, ...] = ()


async def record_fact(uow: UnitOfWork, fact: Fact, now: datetime | None = None) -> Outcome:
    """Records `fact`; badges it earns are announced on badge.earned unless the fact is
    older than ANNOUNCE_WITHIN at `now` (None: always announced)."""
    rules = rules_for(fact.kind)
    if not rules:
        return Outcome(duplicate=False)
    # One user's facts are decided one at a time (the caps count what is committed).
    await uow.ledger.lock_user(fact.user_id)
    before = await uow.ledger.snapshot(fact.user_id, [r.id for r in rules], moscow_day(fact.time))
    awards = decide(fact, before.today, before.ever)
    city = (fact.event.city if fact.event else "") or before.city
    if not await uow.ledger.record(fact, awards, city):
        return Outcome(duplicate=True)
    xp = before.xp + sum(a.xp for a in awards)
    level = level_for(xp)
    await uow.ledger.apply(fact.user_id, xp, level, fact.kind)
    if fact.is_visit:
        await uow.ledger.add_visit(fact)
    facts, by_category, by_city = await uow.ledger.progress(fact.user_id)
    new = earned(Progress(level, facts, by_category, by_city), fact, before.badges)
    announce = now is None or now - fact.time <= ANNOUNCE_WITHIN
    for badge in new:
        if await uow.badges.add(fact.user_id, badge.id, fact.time) and announce:
            await uow.add_event(BADGE_TOPIC, fact.user_id, events_pb2.BadgeEarned(
                user_id=fact.user_id, badge_id=badge.id, names=badge.names, level=badge.level, xp=xp,
                earn_time=to_timestamp(fact.time)))
    return Outcome(duplicate=False, awards=tuple(awards), xp=xp, level=level, badges=tuple(new))
