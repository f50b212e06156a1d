"""google.api.field_behavior on the contracts, and services/runtime/rpc/field_behavior.py:
output-only fields a client sends are cleared before any handler sees the request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, struct_pb2, timestamp_pb2
from google.protobuf.message import Message

from kulturago.event.v1 import event_service_pb2 as event_pb
from services.runtime.rpc.field_behavior import clear_output_only, is_output_only
from services.runtime.rpc.policy import contract_services

WHEN = timestamp_pb2.Timestamp()
WHEN.FromDatetime(datetime(2001, 1, 1, tzinfo=UTC))


def _published(**event: Any) -> event_pb.PublishEventRequest:
    return event_pb.PublishEventRequest(event=event_pb.Event(
        slug="dzhaz", title="Джаз", category="concert", city="moscow",
        place=event_pb.Place(name="Клуб"), sessions=[event_pb.Session(start_time=WHEN, end_time=WHEN)], **event))


def test_output_only_fields_of_a_request_are_cleared_and_the_rest_kept() -> None:
    request = _published(version=999, create_time=WHEN, update_time=WHEN, next_start_time=WHEN,
                         rating=event_pb.Rating(average=5.0, count=1000))
    clear_output_only(request)
    event = request.event
    assert event.version == 0
    assert not event.HasField("create_time") and not event.HasField("update_time")
    assert not event.HasField("next_start_time") and not event.HasField("rating")
    assert request == _published()  # nothing else touched


def test_a_request_without_output_only_fields_is_untouched() -> None:
    request = event_pb.ListEventsRequest(page_size=5, category=["concert"], city="spb")
    clear_output_only(request)
    assert request == event_pb.ListEventsRequest(page_size=5, category=["concert"], city="spb")


def _test_messages() -> tuple[type[Message], type[Message]]:
    """Holder { Item one; repeated Item many; map<string, Item> by_key; Struct extra }
    with Item { string id [OUTPUT_ONLY]; string name }, added to the pool at test time."""
    file = descriptor_pb2.FileDescriptorProto(name="test_field_behavior/holder.proto",
                                              package="kulturago.test_field_behavior", syntax="proto3",
                                              dependency=[struct_pb2.DESCRIPTOR.name])
    item = file.message_type.add(name="Item")
    id_field = item.field.add(name="id", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                              label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    id_field.options.Extensions[field_behavior_pb2.field_behavior].append(field_behavior_pb2.OUTPUT_ONLY)
    item.field.add(name="name", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                   label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    holder = file.message_type.add(name="Holder")
    entry = holder.nested_type.add(name="ByKeyEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                    label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    entry.field.add(name="value", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
                    type_name=".kulturago.test_field_behavior.Item",
                    label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    message_field = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
    for name, number, type_name, label in (
            ("one", 1, ".kulturago.test_field_behavior.Item", descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL),
            ("many", 2, ".kulturago.test_field_behavior.Item", descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED),
            ("by_key", 3, ".kulturago.test_field_behavior.Holder.ByKeyEntry",
             descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED),
            ("extra", 4, ".google.protobuf.Struct", descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)):
        holder.field.add(name=name, number=number, type=message_field, type_name=type_name, label=label)
    pool = descriptor_pool.Default()
    pool.Add(file)
    return (message_factory.GetMessageClass(pool.FindMessageTypeByName("kulturago.test_field_behavior.Holder")),
            message_factory.GetMessageClass(pool.FindMessageTypeByName("kulturago.test_field_behavior.Item")))


def test_nested_repeated_and_map_values_are_cleared_too() -> None:
    holder_class, item_class = _test_messages()
    holder: Any = holder_class()
    holder.one.CopyFrom(item_class(id="1", name="a"))
    holder.many.add(id="2", name="b")
    holder.by_key["k"].CopyFrom(item_class(id="3", name="c"))
    holder.extra.update({"id": "kept: a Struct is data, not a resource"})  # recursive type, no behavior
    clear_output_only(holder)
    assert (holder.one.id, holder.one.name) == ("", "a")
    assert [(i.id, i.name) for i in holder.many] == [("", "b")]
    assert (holder.by_key["k"].id, holder.by_key["k"].name) == ("", "c")
    assert holder.extra["id"] == "kept: a Struct is data, not a resource"


SERVER_SET = {"id", "create_time", "update_time", "version"}
# Ids the client names on purpose: an admin names the sessions, ticket tiers and seats of
# an event (ids that must stay the same across publishes, tickets are sold against them),
# and a tour and its stops (URL keys, like an event's slug); an app names each action it
# reports (the idempotency id: the same action sent twice counts once).
CLIENT_NAMED = {"kulturago.event.v1.Session.id", "kulturago.event.v1.TicketTier.id", "kulturago.event.v1.Seat.id",
                "kulturago.gid.v1.Tour.id", "kulturago.gid.v1.Stop.id", "kulturago.recommendation.v1.Action.id"}


def test_server_set_fields_of_every_resource_are_output_only() -> None:
    # A guard for new resources: the messages of *_service.proto other than requests and
    # responses. (Events on Kafka are not resources and are never input.)
    checked = []
    seen: set[str] = set()
    for service in contract_services():
        for message in service.file.message_types_by_name.values():
            if message.full_name in seen or message.name.endswith(("Request", "Response")):
                continue
            seen.add(message.full_name)
            for field in message.fields:
                if field.name in SERVER_SET and field.full_name not in CLIENT_NAMED:
                    checked.append(field.full_name)
                    assert is_output_only(field), f"{field.full_name} should be OUTPUT_ONLY"
    assert {"kulturago.event.v1.Event.version", "kulturago.auth.v1.User.id",
            "kulturago.auth.v1.Profile.create_time", "kulturago.geo.v1.Poi.id"} <= set(checked)
