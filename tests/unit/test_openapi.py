"""The OpenAPI document (kgo/openapi.py, gen/openapi/kulturago.yaml): the buf.validate rules
become JSON Schema keywords, `required` is what protovalidate refuses to miss, and the
document says what the gateway does (access, errors, raw bodies, links). Pure: descriptors
and the committed document, no servers."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from google.api import annotations_pb2

from kgo import openapi, paths
from kulturago.auth.v1 import auth_service_pb2 as auth
from kulturago.event.v1 import event_service_pb2 as event
from kulturago.ticketing.v1 import ticketing_service_pb2 as ticketing
from services.runtime.rpc.policy import contract_services, grpc_path
from services.runtime.vocabulary import words

DOCUMENT: dict[str, Any] = yaml.safe_load(paths.OPENAPI.read_text())
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]


def _rules(message: Any, field: str) -> dict[str, Any]:
    return openapi.field_rules_schema(message.DESCRIPTOR.fields_by_name[field])[0]


def _operation(operation_id: str) -> dict[str, Any]:
    (found,) = [op for item in DOCUMENT["paths"].values() for op in item.values()
                if isinstance(op, dict) and op.get("operationId") == operation_id]
    return found  # type: ignore[no-any-return]


def test_string_rules_become_lengths_patterns_and_formats() -> None:
    assert _rules(auth.SignUpRequest, "email") == {"maxLength": 254, "format": "email"}
    assert _rules(auth.SignUpRequest, "password") == {"minLength": 8, "maxLength": 128}
    assert _rules(auth.SignUpRequest, "login") == {"pattern": "^[A-Za-z0-9_.-]{3,32}$"}
    assert _rules(ticketing.GetOrderRequest, "id") == {"format": "uuid"}


def test_in_lists_become_enums_for_strings_numbers_and_the_items_of_lists() -> None:
    assert _rules(event.Event, "city") == {"enum": list(words(event.Event, "city"))}
    assert _rules(event.Event, "age_restriction") == {"enum": [0, 6, 12, 16, 18]}
    categories = _rules(event.ListEventsRequest, "category")
    assert categories == {"maxItems": 10, "items": {"enum": list(words(event.ListEventsRequest, "category"))}}
    assert _rules(ticketing.PurchaseTicketsRequest, "seats") == {
        "maxItems": 10, "uniqueItems": True, "items": {"minLength": 1, "maxLength": 20}}


def test_ranges_and_64_bit_integers_as_the_gateway_reads_them() -> None:
    assert _rules(event.TicketTier, "capacity") == {"minimum": 0, "maximum": 100000}
    assert _rules(event.ListEventsRequest, "radius") == {"minimum": 0, "exclusiveMinimum": True, "maximum": 100000}
    # proto3 JSON takes an int64 as a number or a decimal string (and prints a string).
    assert _rules(event.TicketTier, "price") == {"anyOf": [
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "maximum": 100000000},
        {"type": "string", "pattern": "^-?[0-9]+$"}]}


def test_a_field_whose_empty_value_skips_its_rules_may_be_empty() -> None:
    assert _rules(ticketing.GetTicketQrRequest, "ticket_id") == {"anyOf": [{"enum": [""]}, {"format": "uuid"}]}


def test_rules_json_schema_cannot_say_are_written_out() -> None:
    keywords, notes = openapi.field_rules_schema(event.Session.DESCRIPTOR.fields_by_name["start_time"])
    assert keywords == {} and notes == ["at or after 2000-01-01T00:00:00Z", "before 2101-01-01T00:00:00Z"]
    _, notes = openapi.field_rules_schema(auth.EditProfileRequest.DESCRIPTOR.fields_by_name["interests"])
    assert notes == ["interests must be a list of at most 30 strings of 1..50 characters"]


def test_required_is_what_protovalidate_refuses_to_miss() -> None:
    assert openapi.required_fields(auth.SignUpRequest.DESCRIPTOR) == ["email", "login", "password"]
    assert openapi.required_fields(ticketing.PurchaseItem.DESCRIPTOR) == ["tier_id", "quantity"]
    assert openapi.required_fields(event.ListEventsRequest.DESCRIPTOR) == []  # every filter may be left out
    # A message field with `required`, a list with min_items; output-only fields never.
    assert {"place", "sessions"} <= set(openapi.required_fields(event.Event.DESCRIPTOR))
    assert "version" not in openapi.required_fields(event.Event.DESCRIPTOR)


def test_the_document_carries_the_sign_up_rules() -> None:
    body = _operation("AuthService_SignUp")["requestBody"]["content"]["application/json"]["schema"]
    schema = SCHEMAS[body["$ref"].rsplit("/", 1)[-1]]
    assert schema["required"] == ["email", "login", "password"]
    assert schema["properties"]["email"] == {"type": "string", "maxLength": 254, "format": "email"}
    assert schema["properties"]["password"] == {"type": "string", "minLength": 8, "maxLength": 128}


def test_query_parameters_carry_their_rules_and_required_ones_say_so() -> None:
    parameters = {p["name"]: p for p in _operation("GeoService_ListNearby")["parameters"]}
    assert parameters["lat"]["required"] is True and parameters["lat"]["schema"]["minimum"] == -90
    assert parameters["category"]["schema"]["enum"][0] == ""  # may be left empty: all categories
    assert "required" not in parameters["radius"]
    (order_id,) = _operation("TicketingService_GetOrder")["parameters"]
    assert order_id["in"] == "path" and order_id["schema"]["format"] == "uuid"


def test_a_message_both_sent_and_answered_has_an_input_schema_with_the_rules() -> None:
    publish = _operation("EventService_PublishEvent")
    assert publish["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EventInput"}
    assert SCHEMAS["EventInput"]["properties"]["sessions"]["minItems"] == 1
    assert SCHEMAS["EventInput"]["properties"]["place"] == {"$ref": "#/components/schemas/PlaceInput"}
    # What an answer promises: every field the gateway always prints, no input rules
    # (list items are partial: no description, at most 3 sessions).
    answered = SCHEMAS["Event"]
    assert "minItems" not in answered["properties"]["sessions"]
    assert {"slug", "sessions", "description", "isFree", "version"} <= set(answered["required"])
    assert "place" not in answered["required"]  # a message: printed only when set
    assert answered["properties"]["version"]["format"] == "int64"


def test_path_fields_are_not_asked_for_again_in_the_body() -> None:
    body = _operation("TicketingService_RefundOrder")["requestBody"]["content"]["application/json"]["schema"]
    schema = SCHEMAS[body["$ref"].rsplit("/", 1)[-1]]
    assert "id" not in schema["properties"] and "required" not in schema


def test_access_is_declared_per_operation() -> None:
    assert _operation("AuthService_SignUp")["security"] == []
    assert _operation("ProfileService_GetMe")["security"] == [{"bearer": []}]
    assert _operation("EventService_PublishEvent")["security"] == [{"adminBearer": []}]
    assert set(DOCUMENT["components"]["securitySchemes"]) == {"bearer", "adminBearer"}
    assert "/internal" not in "".join(DOCUMENT["paths"])  # INTERNAL methods have no REST path at all


def test_errors_have_one_body_and_the_statuses_the_gateway_answers() -> None:
    status = SCHEMAS["Status"]
    assert status["required"] == ["code", "message"] and status["properties"]["message"]["minLength"] == 1
    responses = _operation("AuthService_SignUp")["responses"]
    assert {"200", "400", "409", "413", "429", "default"} <= set(responses)  # 409: ALREADY_EXISTS in its comment
    assert "401" not in responses  # public
    get_me = _operation("ProfileService_GetMe")["responses"]
    assert {"401", "403"} <= set(get_me) and "413" not in get_me
    purchase = _operation("TicketingService_PurchaseTickets")["responses"]
    assert {"409", "503"} <= set(purchase)
    for name, response in DOCUMENT["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Status"}, name


def test_raw_bodies_have_their_content_types() -> None:
    assert set(_operation("TicketingService_GetTicketQr")["responses"]["200"]["content"]) == {"image/png"}
    assert set(_operation("AuthService_GetJwks")["responses"]["200"]["content"]) == {"application/json"}
    callback = _operation("PaymentService_HandleProviderCallback")
    assert set(callback["requestBody"]["content"]) == {"application/x-www-form-urlencoded"}


def test_every_raw_body_of_the_contracts_is_declared() -> None:
    for service in contract_services():
        for method in service.methods:
            options: Any = method.GetOptions()
            if method.output_type.full_name == "google.api.HttpBody" and options.HasExtension(annotations_pb2.http):
                assert grpc_path(method) in openapi.RAW_RESPONSES


def test_links_feed_one_operation_from_another() -> None:
    links = _operation("EventService_PublishEvent")["responses"]["200"]["links"]
    assert links["GetEvent"] == {"operationId": "EventService_GetEvent", "parameters": {"slug": "$response.body#/slug"}}
    sign_in = _operation("AuthService_SignUp")["responses"]["200"]["links"]["SignIn"]
    assert sign_in["requestBody"] == {"login": "$request.body#/login", "password": "$request.body#/password"}


def test_a_link_or_example_of_an_unknown_operation_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {"openapi": "3.0.3", "info": {"title": "t", "version": "v1"}, "paths": {}}
    monkeypatch.setattr(openapi, "EXAMPLES", {})
    monkeypatch.setattr(openapi, "LINKS", (openapi.Link("Nope_Source", "Nope_Target", "Nope"),))
    with pytest.raises(ValueError, match="unknown operation"):
        openapi.refine(raw, contract_services())
    monkeypatch.setattr(openapi, "EXAMPLES", {"Nope_Source": {}})
    with pytest.raises(ValueError, match="no operation"):
        openapi.refine(raw, contract_services())


def test_the_document_is_valid_openapi() -> None:
    import schemathesis

    schema = schemathesis.openapi.from_path(str(paths.OPENAPI))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(1 for item in DOCUMENT["paths"].values() for op in item.values()
                                  if isinstance(op, dict))


@pytest.mark.parametrize("operation_id", sorted(openapi.EXAMPLES))
def test_every_example_passes_the_contracts_rules(operation_id: str) -> None:
    from google.protobuf import json_format, message_factory

    from services.runtime.rpc.validation import validate

    methods = {f"{s.name}_{m.name}": m for s in contract_services() for m in s.methods}
    method = methods[operation_id]
    request = message_factory.GetMessageClass(method.input_type)()
    body = method.GetOptions().Extensions[annotations_pb2.http].body
    json_format.ParseDict(openapi.EXAMPLES[operation_id], request if body == "*" else getattr(request, body))
    validate(request)  # raises InvalidArgument naming the field
    schema = _operation(operation_id)["requestBody"]["content"]["application/json"]
    assert schema["example"] == openapi.EXAMPLES[operation_id]
