"""PostgreSQL repositories of gamification-service (on the unit of work's transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from services.gamification.domain.calendar import moscow_day
from services.gamification.domain.rules import Award, EventInfo, Fact
from services.gamification.service_layer.ports import EarnedBadge, Follow, Snapshot, UserInfo
from services.runtime.unit_of_work import InTransaction


class _Repository:
    def __init__(self, uow: InTransaction) -> None:
        self._uow = uow

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = await self._uow.connection.execute(sql, params)
        return await cur.fetchall() if cur.description is not None else []

    async def _row(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        cur = await self._uow.connection.execute(sql, params)
        row: dict[str, Any] | None = await cur.fetchone()
        return row


class PostgresLedger(_Repository):
    async def lock_user(self, user_id: str) -> None:
        await self._rows("SELECT pg_advisory_xact_lock(hashtextextended('gamification:' || %s, 0))", (user_id,))

    async def snapshot(self, user_id: str, rule_ids: Sequence[str], day: date) -> Snapshot:
        row = await self._row(
            "SELECT (SELECT coalesce(jsonb_object_agg(rule_id, jsonb_build_array(today, ever)), '{}') FROM"
            "   (SELECT rule_id, count(*) FILTER (WHERE day = %s) AS today, count(*) AS ever FROM xp_ledger"
            "    WHERE user_id = %s AND rule_id = ANY(%s) AND xp > 0 GROUP BY rule_id) c) AS counts,"
            " (SELECT jsonb_build_array(xp, level) FROM xp_totals WHERE user_id = %s) AS totals,"
            " (SELECT city FROM users WHERE user_id = %s) AS city,"
            " (SELECT coalesce(array_agg(badge_id), '{}') FROM badges WHERE user_id = %s) AS badges",
            (day, user_id, list(rule_ids), user_id, user_id, user_id))
        assert row is not None
        counts: dict[str, list[int]] = row["counts"]
        xp, level = row["totals"] or (0, 1)
        return Snapshot({r: c[0] for r, c in counts.items()}, {r: c[1] for r, c in counts.items()}, int(xp),
                        int(level), row["city"] or "", set(row["badges"]))

    async def record(self, fact: Fact, awards: Sequence[Award], city: str) -> bool:
        day = moscow_day(fact.time)
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(awards))
        params: list[Any] = []
        for award in awards:
            params += [fact.user_id, award.rule.id, fact.source_id, fact.kind, award.xp, fact.time, day, city]
        rows = await self._rows(
            f"INSERT INTO xp_ledger (user_id, rule_id, source_id, kind, xp, occur_time, day, city) VALUES {values}"
            " ON CONFLICT (user_id, rule_id, source_id) DO NOTHING RETURNING rule_id", params)
        # The first award's rule is never a once-rule (rules.RULES): its row is the fact's key.
        return awards[0].rule.id in {r["rule_id"] for r in rows}

    async def apply(self, user_id: str, xp: int, level: int, kind: str) -> None:
        await self._rows(
            "WITH t AS (INSERT INTO xp_totals (user_id, xp, level) VALUES (%s, %s, %s) ON CONFLICT (user_id)"
            "  DO UPDATE SET xp = EXCLUDED.xp, level = EXCLUDED.level)"
            " INSERT INTO fact_counts (user_id, kind, count) VALUES (%s, %s, 1) ON CONFLICT (user_id, kind)"
            " DO UPDATE SET count = fact_counts.count + 1", (user_id, xp, level, user_id, kind))

    async def add_visit(self, fact: Fact) -> None:
        assert fact.event is not None
        await self._rows(
            "INSERT INTO visits (user_id, event_slug, category, city, district, visit_time)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (fact.user_id, fact.event.slug, fact.event.category, fact.event.city, fact.event.district, fact.time))

    async def progress(self, user_id: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        row = await self._row(
            "SELECT (SELECT coalesce(jsonb_object_agg(kind, count), '{}') FROM fact_counts WHERE user_id = %s)"
            "   AS facts,"
            " (SELECT coalesce(jsonb_object_agg(category, n), '{}') FROM (SELECT category, count(*) AS n"
            "   FROM visits WHERE user_id = %s GROUP BY category) c) AS by_category,"
            " (SELECT coalesce(jsonb_object_agg(city, n), '{}') FROM (SELECT city, count(DISTINCT district) AS n"
            "   FROM visits WHERE user_id = %s AND district IS NOT NULL GROUP BY city) d) AS by_city",
            (user_id, user_id, user_id))
        assert row is not None
        return row["facts"], row["by_category"], row["by_city"]

    async def totals(self, user_id: str) -> tuple[int, int]:
        row = await self._row("SELECT xp, level FROM xp_totals WHERE user_id = %s", (user_id,))
        return (int(row["xp"]), int(row["level"])) if row else (0, 1)


class PostgresBadges(_Repository):
    async def of(self, user_id: str) -> list[EarnedBadge]:
        return [EarnedBadge(r["badge_id"], r["earn_time"]) for r in await self._rows(
            "SELECT badge_id, earn_time FROM badges WHERE user_id = %s ORDER BY earn_time, badge_id", (user_id,))]

    async def add(self, user_id: str, badge_id: str, at: datetime) -> bool:
        return await self._row("INSERT INTO badges (user_id, badge_id, earn_time) VALUES (%s, %s, %s)"
                               " ON CONFLICT DO NOTHING RETURNING badge_id", (user_id, badge_id, at)) is not None


def _user(row: dict[str, Any]) -> UserInfo:
    return UserInfo(row["user_id"], row["login"], row["full_name"], row["city"])


class PostgresUsers(_Repository):
    async def remember(self, user: UserInfo, as_of: datetime | None) -> None:
        # The newer profile wins (events of one user come in order, but a replay may not).
        await self._rows(
            "INSERT INTO users (user_id, login, full_name, city, as_of) VALUES (%s, %s, %s, %s,"
            " coalesce(%s, '-infinity'::timestamptz)) ON CONFLICT (user_id) DO UPDATE SET login = EXCLUDED.login,"
            " full_name = EXCLUDED.full_name, city = EXCLUDED.city, as_of = EXCLUDED.as_of"
            " WHERE users.as_of <= EXCLUDED.as_of",
            (user.user_id, user.login, user.full_name, user.city, as_of))

    async def get(self, user_id: str) -> UserInfo | None:
        row = await self._row("SELECT user_id, login, full_name, city FROM users WHERE user_id = %s", (user_id,))
        return _user(row) if row else None

    async def by_login(self, login: str) -> UserInfo | None:
        row = await self._row("SELECT user_id, login, full_name, city FROM users WHERE lower(login) = lower(%s)"
                              " ORDER BY as_of DESC LIMIT 1", (login,))
        return _user(row) if row else None

    async def many(self, user_ids: Sequence[str]) -> dict[str, UserInfo]:
        rows = await self._rows("SELECT user_id, login, full_name, city FROM users WHERE user_id = ANY(%s)",
                                (list(user_ids),))
        return {r["user_id"]: _user(r) for r in rows}


class PostgresEvents(_Repository):
    async def remember(self, event: EventInfo, version: int) -> None:
        await self._rows(
            "INSERT INTO events (slug, category, city, district, version) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (slug) DO UPDATE SET category = EXCLUDED.category, city = EXCLUDED.city,"
            " district = EXCLUDED.district, version = EXCLUDED.version WHERE events.version <= EXCLUDED.version",
            (event.slug, event.category, event.city, event.district, version))

    async def get(self, slug: str) -> EventInfo | None:
        row = await self._row("SELECT slug, category, city, district FROM events WHERE slug = %s", (slug,))
        return EventInfo(row["slug"], row["category"], row["city"], row["district"]) if row else None


class PostgresFollows(_Repository):
    async def add(self, follower: str, followee: str, at: datetime) -> datetime:
        await self._rows("INSERT INTO follows (follower, followee, follow_time) VALUES (%s, %s, %s)"
                         " ON CONFLICT DO NOTHING", (follower, followee, at))
        row = await self._row("SELECT follow_time FROM follows WHERE follower = %s AND followee = %s",
                              (follower, followee))
        assert row is not None
        return row["follow_time"]

    async def remove(self, follower: str, followee: str) -> None:
        await self._rows("DELETE FROM follows WHERE follower = %s AND followee = %s", (follower, followee))

    async def of(self, follower: str) -> list[Follow]:
        rows = await self._rows(
            "SELECT u.user_id, u.login, u.full_name, u.city, coalesce(t.xp, 0) AS xp, coalesce(t.level, 1) AS level,"
            " f.follow_time FROM follows f JOIN users u ON u.user_id = f.followee"
            " LEFT JOIN xp_totals t ON t.user_id = f.followee WHERE f.follower = %s ORDER BY u.login", (follower,))
        return [Follow(_user(r), int(r["xp"]), int(r["level"]), r["follow_time"]) for r in rows]

    async def followees(self, follower: str) -> list[str]:
        return [r["followee"] for r in await self._rows("SELECT followee FROM follows WHERE follower = %s",
                                                          (follower,))]
