"""PostgreSQL repositories of notification-service, on their unit of work's transaction."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from services.notification.domain.model import (
    Contact,
    Content,
    DeliveryState,
    DeliveryStatus,
    Device,
    DueDelivery,
    InboxItem,
    MailContent,
    NewDelivery,
    Notification,
    NotificationStatus,
    PushContent,
    QrCode,
    SourceEvent,
)
from services.notification.domain.preferences import Preferences
from services.notification.domain.quiet_hours import QuietHours
from services.runtime.errors import TransactionConflict
from services.runtime.unit_of_work import InTransaction


def content_to_json(content: Content) -> dict[str, Any]:
    if isinstance(content, MailContent):
        return {"subject": content.subject, "text": content.text, "html": content.html,
                "qr": [{"text": q.text, "filename": q.filename, "cid": q.content_id} for q in content.qr_codes]}
    return {"title": content.title, "body": content.body, "data": content.data, "collapseKey": content.collapse_key}


def content_from_json(channel: str, data: Mapping[str, Any]) -> Content:
    if channel == "email":
        return MailContent(data["subject"], data["text"], data.get("html", ""),
                           tuple(QrCode(q["text"], q["filename"], q["cid"]) for q in data.get("qr", ())))
    return PushContent(data["title"], data["body"], dict(data.get("data", {})), data.get("collapseKey", ""))


def preferences_from_row(row: Mapping[str, Any]) -> Preferences:
    quiet = QuietHours(row["quiet_start"], row["quiet_end"]) if row.get("quiet_start") is not None else None
    return Preferences(channels=dict(row["channels"]), kinds=dict(row["kinds"]), quiet_hours=quiet,
                       time_zone=row["time_zone"], locale=row["locale"], update_time=row["update_time"])


class _Repository:
    def __init__(self, uow: InTransaction) -> None:
        self._uow = uow

    async def _all(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        return await (await self._uow.connection.execute(sql, params)).fetchall()

    async def _one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict[str, Any] | None:
        return await (await self._uow.connection.execute(sql, params)).fetchone()

    async def _run(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> int:
        return (await self._uow.connection.execute(sql, params)).rowcount


class PostgresContacts(_Repository):
    async def upsert(self, contact: Contact) -> None:
        await self._run(
            "INSERT INTO contacts (user_id, email, login, full_name, as_of) "
            "VALUES (%s, %s, %s, %s, coalesce(%s, '-infinity'::timestamptz)) "
            "ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, login = excluded.login, "
            "full_name = excluded.full_name, as_of = excluded.as_of WHERE contacts.as_of <= excluded.as_of",
            (contact.user_id, contact.email, contact.login, contact.full_name, contact.as_of))

    async def get_many(self, user_ids: Sequence[str]) -> dict[str, Contact]:
        if not user_ids:
            return {}
        rows = await self._all("SELECT * FROM contacts WHERE user_id = ANY(%s)", (list(user_ids),))
        return {r["user_id"]: Contact(r["user_id"], r["email"], r["login"], r["full_name"], r["as_of"]) for r in rows}


class PostgresDevices(_Repository):
    async def register(self, device: Device, keep: int) -> Device:
        row = await self._one(
            "INSERT INTO devices (token, user_id, platform, locale, create_time, update_time) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (token) DO UPDATE SET "
            # Moved to another user: it is theirs from now on (a new create_time).
            "create_time = CASE WHEN devices.user_id = excluded.user_id THEN devices.create_time "
            "ELSE excluded.create_time END, "
            "user_id = excluded.user_id, platform = excluded.platform, locale = excluded.locale, "
            "update_time = excluded.update_time RETURNING *",
            (device.token, device.user_id, device.platform, device.locale, device.create_time, device.create_time))
        assert row is not None
        await self._run(
            "DELETE FROM devices WHERE user_id = %s AND token IN (SELECT token FROM devices WHERE user_id = %s "
            "ORDER BY update_time DESC, token OFFSET %s)", (device.user_id, device.user_id, keep))
        return Device(row["token"], row["user_id"], row["platform"], row["locale"], row["create_time"])

    async def remove(self, user_id: str, token: str) -> bool:
        return await self._run("DELETE FROM devices WHERE token = %s AND user_id = %s", (token, user_id)) > 0

    async def remove_token(self, token: str) -> None:
        await self._run("DELETE FROM devices WHERE token = %s", (token,))

    async def of_users(self, user_ids: Sequence[str]) -> dict[str, list[Device]]:
        if not user_ids:
            return {}
        rows = await self._all("SELECT * FROM devices WHERE user_id = ANY(%s) ORDER BY update_time DESC, token",
                               (list(user_ids),))
        found: dict[str, list[Device]] = {}
        for r in rows:
            found.setdefault(r["user_id"], []).append(
                Device(r["token"], r["user_id"], r["platform"], r["locale"], r["create_time"]))
        return found


class PostgresPreferences(_Repository):
    async def get_many(self, user_ids: Sequence[str]) -> dict[str, Preferences]:
        if not user_ids:
            return {}
        rows = await self._all("SELECT * FROM preferences WHERE user_id = ANY(%s)", (list(user_ids),))
        return {r["user_id"]: preferences_from_row(r) for r in rows}

    async def save(self, user_id: str, preferences: Preferences) -> None:
        quiet = preferences.quiet_hours
        await self._run(
            "INSERT INTO preferences (user_id, channels, kinds, quiet_start, quiet_end, time_zone, locale, "
            "update_time) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (user_id) DO UPDATE SET "
            "channels = excluded.channels, kinds = excluded.kinds, quiet_start = excluded.quiet_start, "
            "quiet_end = excluded.quiet_end, time_zone = excluded.time_zone, locale = excluded.locale, "
            "update_time = excluded.update_time",
            (user_id, Jsonb(dict(preferences.channels)), Jsonb(dict(preferences.kinds)),
             quiet.start if quiet else None, quiet.end if quiet else None, preferences.time_zone,
             preferences.locale, preferences.update_time))


class PostgresNotifications(_Repository):
    async def by_source(self, source_key: str) -> Notification | None:
        row = await self._one("SELECT * FROM notifications WHERE source_key = %s", (source_key,))
        return _notification(row) if row else None

    async def add(self, notification: Notification, params: Mapping[str, Any]) -> None:
        event = notification.source_event
        row = await self._one(
            "INSERT INTO notifications (id, source_key, request_hash, template_id, kind, params, create_time, "
            "source_consumer, source_topic, source_key_raw, source_payload, source_headers) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (source_key) DO NOTHING "
            "RETURNING 1",
            (notification.id, notification.source_key, notification.request_hash, notification.template_id,
             notification.kind, Jsonb(json.loads(json.dumps(params, default=str))), notification.create_time,
             event.consumer if event else None, event.topic if event else None, event.key if event else None,
             event.payload if event else None, Jsonb(event.headers) if event else None))
        if row is None:  # another transaction made this source's notification first: run again, find it
            raise TransactionConflict(f"notification of {notification.source_key} made concurrently")

    async def status(self, notification_id: str) -> NotificationStatus | None:
        row = await self._one("SELECT * FROM notifications WHERE id = %s", (notification_id,))
        if row is None:
            return None
        deliveries = await self._all(
            "SELECT * FROM deliveries WHERE notification_id = %s ORDER BY channel, create_time, id", (notification_id,))
        return NotificationStatus(_notification(row), tuple(DeliveryStatus(
            channel=d["channel"], user_id=d["user_id"],
            target=d["sent_to"] or d["address"] or d["platform"], state=DeliveryState(d["state"]),
            attempts=d["attempts"],
            next_attempt_time=d["next_attempt_at"] if d["state"] in ("pending", "deferred") else None,
            last_error=d["last_error"], sent_time=d["sent_at"]) for d in deliveries))

    async def forget_before(self, before: datetime, limit: int) -> int:
        return await self._run(
            "DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE create_time < %s "
            "ORDER BY create_time LIMIT %s)", (before, limit))

    async def take_for_dead_letter(self, notification_id: str) -> SourceEvent | None:
        row = await self._one(
            "UPDATE notifications SET dead_lettered = true WHERE id = %s AND NOT dead_lettered "
            "AND source_topic IS NOT NULL RETURNING *", (notification_id,))
        return _source_event(row) if row else None


def _source_event(row: Mapping[str, Any]) -> SourceEvent | None:
    if row.get("source_topic") is None:
        return None
    return SourceEvent(row["source_consumer"], row["source_topic"], bytes(row["source_key_raw"]),
                       bytes(row["source_payload"]), dict(row["source_headers"]))


def _notification(row: Mapping[str, Any]) -> Notification:
    return Notification(str(row["id"]), row["source_key"], row["request_hash"], row["template_id"], row["kind"],
                        row["create_time"], _source_event(row))


class PostgresDeliveries(_Repository):
    async def add(self, deliveries: Sequence[NewDelivery], now: datetime) -> None:
        if not deliveries:
            return
        # One statement for all of them (a campaign's batch makes thousands).
        await self._run(
            "INSERT INTO deliveries (id, notification_id, channel, user_id, address, device_token, platform, "
            "content, next_attempt_at, create_time, update_time) "
            "SELECT d.id, d.notification_id, d.channel, d.user_id, d.address, d.device_token, d.platform, "
            "d.content, %(now)s, %(now)s, %(now)s FROM unnest(%(id)s::uuid[], %(notification_id)s::uuid[], "
            "%(channel)s::text[], %(user_id)s::text[], %(address)s::text[], %(device_token)s::text[], "
            "%(platform)s::text[], %(content)s::jsonb[]) AS d(id, notification_id, channel, user_id, address, "
            "device_token, platform, content)",
            {"now": now, "id": [d.id for d in deliveries], "notification_id": [d.notification_id for d in deliveries],
             "channel": [d.channel for d in deliveries], "user_id": [d.user_id for d in deliveries],
             "address": [d.address for d in deliveries], "device_token": [d.device_token for d in deliveries],
             "platform": [d.platform for d in deliveries],
             "content": [Jsonb(content_to_json(d.content)) for d in deliveries]})

    async def claim_due(self, now: datetime, limit: int) -> list[DueDelivery]:
        rows = await self._all(
            "SELECT d.id, d.notification_id, d.channel, d.content, d.attempts, d.user_id, d.device_token, "
            "d.platform, n.kind, CASE WHEN d.address <> '' THEN d.address ELSE coalesce(c.email, '') END AS address, "
            "(dev.token IS NOT NULL) AS device_registered, p.user_id AS preferences_of, p.channels, p.kinds, "
            "p.quiet_start, p.quiet_end, p.time_zone, p.locale, p.update_time "
            "FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
            "LEFT JOIN contacts c ON c.user_id = d.user_id AND d.user_id <> '' "
            "LEFT JOIN devices dev ON dev.token = d.device_token AND dev.user_id = d.user_id "
            "LEFT JOIN preferences p ON p.user_id = d.user_id AND d.user_id <> '' "
            "WHERE d.state IN ('pending', 'deferred') AND d.next_attempt_at <= %s "
            "AND (d.lease_until IS NULL OR d.lease_until <= %s) "
            "ORDER BY d.next_attempt_at LIMIT %s FOR UPDATE OF d SKIP LOCKED", (now, now, limit))
        return [DueDelivery(
            id=str(r["id"]), notification_id=str(r["notification_id"]), channel=r["channel"], kind=r["kind"],
            content=content_from_json(r["channel"], r["content"]), attempts=r["attempts"], user_id=r["user_id"],
            address=r["address"], device_token=r["device_token"], platform=r["platform"],
            device_registered=r["device_registered"],
            preferences=preferences_from_row(r) if r["preferences_of"] is not None else None) for r in rows]

    async def lease(self, ids: Sequence[str], until: datetime) -> None:
        if ids:
            await self._run("UPDATE deliveries SET lease_until = %s, attempts = attempts + 1, state = 'pending', "
                            "update_time = now() WHERE id = ANY(%s::uuid[])", (until, list(ids)))

    async def defer(self, delivery_id: str, until: datetime, why: str) -> None:
        await self._run("UPDATE deliveries SET state = 'deferred', next_attempt_at = %s, last_error = %s, "
                        "lease_until = NULL, update_time = now() WHERE id = %s", (until, f"deferred: {why}",
                                                                                   delivery_id))

    async def sent(self, sent: Sequence[tuple[str, str]], now: datetime) -> None:
        if sent:
            await self._run(
                "UPDATE deliveries d SET state = 'sent', sent_at = %s, sent_to = s.target, lease_until = NULL, "
                "last_error = '', update_time = now() FROM unnest(%s::uuid[], %s::text[]) AS s(id, target) "
                "WHERE d.id = s.id", (now, [i for i, _ in sent], [t for _, t in sent]))

    async def retry(self, delivery_id: str, attempts: int, at: datetime, error: str) -> None:
        await self._run("UPDATE deliveries SET state = 'pending', attempts = %s, next_attempt_at = %s, "
                        "last_error = %s, lease_until = NULL, update_time = now() WHERE id = %s",
                        (attempts, at, error[:2000], delivery_id))

    async def failed(self, delivery_id: str, attempts: int, now: datetime, error: str) -> None:
        await self._run("UPDATE deliveries SET state = 'failed', attempts = %s, last_error = %s, lease_until = NULL, "
                        "update_time = %s WHERE id = %s", (attempts, error[:2000], now, delivery_id))

    async def fail_pending_to(self, token: str, now: datetime, error: str) -> None:
        await self._run("UPDATE deliveries SET state = 'failed', last_error = %s, update_time = %s "
                        "WHERE device_token = %s AND device_token <> '' AND state IN ('pending', 'deferred') "
                        "AND lease_until IS NULL", (error, now, token))

    async def rearm_failed(self, notification_id: str, now: datetime) -> int:
        count = await self._run(
            "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = %s, last_error = '', "
            "lease_until = NULL, update_time = %s WHERE notification_id = %s AND state = 'failed'",
            (now, now, notification_id))
        await self._run("UPDATE notifications SET dead_lettered = false WHERE id = %s", (notification_id,))
        return count

    async def next_due(self) -> datetime | None:
        row = await self._one("SELECT min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) AS due "
                              "FROM deliveries WHERE state IN ('pending', 'deferred')")
        return row["due"] if row else None

    async def bring_forward(self, channel: str, now: datetime) -> int:
        return await self._run(
            "UPDATE deliveries SET next_attempt_at = %s, update_time = now() WHERE channel = %s "
            "AND state = 'pending' AND attempts > 0 AND lease_until IS NULL AND next_attempt_at > %s",
            (now, channel, now))


class PostgresPushLedger(_Repository):
    async def lock_and_read(self, user_ids: Sequence[str], since: datetime) -> dict[str, dict[str, datetime]]:
        if not user_ids:
            return {}
        # The locks in one order (no deadlock between dispatchers), then the read in a
        # statement of its own: its snapshot sees what the lock holders before us committed.
        await self._run("SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int[]) AS k",  # in the array's order
                        (_PUSH_LOCK, sorted({_lock_key(u) for u in user_ids})))
        rows = await self._all("SELECT user_id, notification_id, at FROM push_ledger "
                               "WHERE user_id = ANY(%s) AND at > %s", (list(user_ids), since))
        found: dict[str, dict[str, datetime]] = {u: {} for u in user_ids}
        for r in rows:
            found[r["user_id"]][str(r["notification_id"])] = r["at"]
        return found

    async def record(self, pushes: Sequence[tuple[str, str, datetime]]) -> None:
        if pushes:
            await self._run("INSERT INTO push_ledger (user_id, notification_id, at) SELECT * FROM "
                            "unnest(%s::text[], %s::uuid[], %s::timestamptz[]) ON CONFLICT DO NOTHING",
                            ([p[0] for p in pushes], [p[1] for p in pushes], [p[2] for p in pushes]))

    async def forget_before(self, before: datetime) -> None:
        await self._run("DELETE FROM push_ledger WHERE at < %s", (before,))


def _lock_key(user_id: str) -> int:
    return _signed32(zlib.crc32(user_id.encode()))


_PUSH_LOCK = 0x6B67_7000  # the advisory-lock class of the push limit's per-user locks


def _signed32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


class PostgresInbox(_Repository):
    async def add(self, items: Sequence[InboxItem]) -> None:
        if not items:
            return
        await self._run(
            "INSERT INTO user_inbox (notification_id, user_id, template_id, kind, title, body, data, create_time) "
            "SELECT * FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::jsonb[], %s::timestamptz[]) ON CONFLICT DO NOTHING",
            ([i.notification_id for i in items], [i.user_id for i in items], [i.template_id for i in items],
             [i.kind for i in items], [i.title for i in items], [i.body for i in items],
             [Jsonb(i.data) for i in items], [i.create_time for i in items]))

    async def page(self, user_id: str, after: tuple[datetime, str] | None, limit: int) -> list[InboxItem]:
        if after is None:
            rows = await self._all("SELECT * FROM user_inbox WHERE user_id = %s "
                                   "ORDER BY create_time DESC, notification_id DESC LIMIT %s", (user_id, limit))
        else:
            rows = await self._all("SELECT * FROM user_inbox WHERE user_id = %s AND (create_time, notification_id) "
                                   "< (%s, %s::uuid) ORDER BY create_time DESC, notification_id DESC LIMIT %s",
                                   (user_id, after[0], after[1], limit))
        return [_inbox_item(r) for r in rows]

    async def unread(self, user_id: str) -> int:
        row = await self._one("SELECT count(*) AS n FROM user_inbox WHERE user_id = %s AND read_time IS NULL",
                              (user_id,))
        return int(row["n"]) if row else 0

    async def mark_read(self, user_id: str, notification_id: str, now: datetime) -> InboxItem | None:
        row = await self._one("UPDATE user_inbox SET read_time = coalesce(read_time, %s) "
                              "WHERE user_id = %s AND notification_id = %s RETURNING *",
                              (now, user_id, notification_id))
        return _inbox_item(row) if row else None


def _inbox_item(r: Mapping[str, Any]) -> InboxItem:
    return InboxItem(str(r["notification_id"]), r["user_id"], r["template_id"], r["kind"], r["title"], r["body"],
                     dict(r["data"]), r["create_time"], r["read_time"])
