"""event.published has two shapes on the topic: EventPublished.snapshot (the topic's own
schema, written since it exists) and the deprecated EventPublished.event (the REST
resource, all that older messages carry). The search indexer reads the first and falls
back to the second; event-service writes both for now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kulturago.event.v1 import events_pb2
from services.event.adapters.proto_mapping import to_proto, to_snapshot
from services.event.domain.model import Event, Place, Session
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.search.domain.model import GeoPoint
from services.search.entrypoints.indexer import CE_TYPE, decode

START = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
EVENT = Event(
    slug="dzhaz-na-kryshe", title="Джаз на крыше", description="Вечер у реки.", category="concert",
    tags=("джаз", "крыша"), city="moscow", place=Place("Крыша Artplay", "Нижняя Сыромятническая, 10", 55.75, 37.67),
    sessions=(Session(START, START + timedelta(hours=2)), Session(START + timedelta(days=1),
                                                                  START + timedelta(days=1, hours=2))),
    price_min=1500, price_max=3000, currency="RUB", is_free=False, kids=False, age_restriction=12,
    images=("events/dzhaz/1.jpg", "events/dzhaz/2.jpg"), ticket_provider="", version=4,
    create_time=START - timedelta(days=10), update_time=START - timedelta(days=1),
)


def _received(message: events_pb2.EventPublished) -> ReceivedEvent:
    return ReceivedEvent("event.published", b"dzhaz-na-kryshe", message.SerializeToString(),
                         {"ce_id": "1", "ce_type": CE_TYPE})


def _new_shape_only(event: Event = EVENT) -> events_pb2.EventPublished:
    return events_pb2.EventPublished(snapshot=to_snapshot(event), version=event.version)


def _old_shape_only(event: Event = EVENT) -> events_pb2.EventPublished:
    return events_pb2.EventPublished(event=to_proto(event), version=event.version)


def test_the_snapshot_alone_is_enough() -> None:
    doc = decode(_received(_new_shape_only()))
    assert (doc.slug, doc.version, doc.title, doc.category, doc.city) == (
        "dzhaz-na-kryshe", 4, "Джаз на крыше", "concert", "moscow")
    assert (doc.place_name, doc.place_address, doc.location) == (
        "Крыша Artplay", "Нижняя Сыромятническая, 10", GeoPoint(55.75, 37.67))
    assert [(s.start, s.end) for s in doc.sessions] == [(s.start, s.end) for s in EVENT.sessions]
    assert (doc.price_min, doc.price_max, doc.is_free, doc.kids, doc.age_restriction, doc.image) == (
        1500, 3000, False, False, 12, "events/dzhaz/1.jpg")
    assert doc.tags == ("джаз", "крыша")


def test_messages_written_before_the_snapshot_still_decode() -> None:
    assert decode(_received(_old_shape_only())) == decode(_received(_new_shape_only()))


def test_what_event_service_writes_now_reads_the_snapshot() -> None:
    # Both fields, as event-service publishes while consumers move over; made to differ
    # here so the test tells which one the indexer read.
    message = events_pb2.EventPublished(event=to_proto(EVENT), snapshot=to_snapshot(EVENT), version=EVENT.version)
    message.event.title = "Старое название из REST-ресурса"
    assert decode(_received(message)).title == "Джаз на крыше"


def test_zero_coordinates_in_the_snapshot_mean_no_location() -> None:
    online = Event(**{**{f: getattr(EVENT, f) for f in EVENT.__slots__}, "place": Place("Онлайн", "", 0.0, 0.0)})
    assert decode(_received(_new_shape_only(online))).location is None


@pytest.mark.parametrize("broken", [
    events_pb2.EventPublished(snapshot=events_pb2.EventPublished.Snapshot(title="Без адреса"), version=1),
    events_pb2.EventPublished(snapshot=events_pb2.EventPublished.Snapshot(slug="bez-nazvaniya"), version=1),
    events_pb2.EventPublished(snapshot=to_snapshot(EVENT), version=0),
], ids=["no-slug", "no-title", "no-version"])
def test_a_snapshot_that_can_never_be_indexed_is_poison(broken: events_pb2.EventPublished) -> None:
    with pytest.raises(PoisonMessage):
        decode(_received(broken))
