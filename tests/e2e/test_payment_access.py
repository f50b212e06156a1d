"""payment-service's internal methods (CreatePayment, GetPayment, CancelPayment,
RefundPayment: ticketing's, ACCESS_INTERNAL) are unreachable through the gateway, over
REST or raw gRPC on :8080 and :8443, with or without a token; the service itself refuses
a call that came through the gateway. Only the provider's callback is public."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import httpx
import pytest
from auth_support import Account, assert_refused_by_gateway
from payment_support import PAYMENT_GRPC, create, new_order_id, payments

from kgo import paths, topology
from kulturago.payment.v1 import payment_service_pb2 as pb
from kulturago.payment.v1 import payment_service_pb2_grpc as pb_grpc
from services.runtime.rpc.access import CLIENT_IP_HEADER

CALLS: dict[str, Callable[[pb_grpc.PaymentServiceStub, list[tuple[str, str]]], Any]] = {
    "CreatePayment": lambda stub, md: stub.CreatePayment(pb.CreatePaymentRequest(
        order_id=new_order_id(), amount=100, currency="RUB", account_id="intruder"), metadata=md, timeout=10),
    "GetPayment": lambda stub, md: stub.GetPayment(pb.GetPaymentRequest(order_id="x"), metadata=md, timeout=10),
    "CancelPayment": lambda stub, md: stub.CancelPayment(pb.CancelPaymentRequest(order_id="x"), metadata=md,
                                                         timeout=10),
    "RefundPayment": lambda stub, md: stub.RefundPayment(pb.RefundPaymentRequest(
        order_id="x", idempotency_key="k"), metadata=md, timeout=10),
}


def _channel(listener: str) -> grpc.Channel:
    if listener == "http":
        return grpc.insecure_channel(f"127.0.0.1:{topology.GATEWAY_HTTP_PORT}")
    credentials = grpc.ssl_channel_credentials((paths.SECRETS / "gateway.crt").read_bytes())
    return grpc.secure_channel(f"127.0.0.1:{topology.GATEWAY_HTTPS_PORT}", credentials,
                               options=[("grpc.ssl_target_name_override", "localhost")])


@pytest.mark.parametrize("method", CALLS)
@pytest.mark.parametrize("listener", ["http", "https"])
@pytest.mark.parametrize("who", ["anonymous", "user"])
def test_internal_methods_are_denied_by_the_gateway(method: str, listener: str, who: str,
                                                    request: pytest.FixtureRequest) -> None:
    metadata = []
    if who == "user":
        account: Account = request.getfixturevalue("account")
        metadata = [("authorization", f"Bearer {account.access_token}")]
    with _channel(listener) as channel, pytest.raises(grpc.RpcError) as denied:
        CALLS[method](pb_grpc.PaymentServiceStub(channel), metadata)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert_refused_by_gateway(denied.value, "INTERNAL_ONLY")  # Envoy's deny, not the service's


@pytest.mark.parametrize(("verb", "path"), [("POST", "/api/v1/payments"), ("GET", "/api/v1/payments/x"),
                                            ("POST", "/internal/pay"), ("POST", "/api/v1/payments/x/refund")])
def test_no_rest_path_reaches_them(http: httpx.Client, verb: str, path: str) -> None:
    assert http.request(verb, path, json={"orderId": "x", "amount": 1}).status_code == 404


def test_the_service_refuses_a_call_the_gateway_forwarded() -> None:
    with grpc.insecure_channel(PAYMENT_GRPC) as channel, pytest.raises(grpc.RpcError) as refused:
        CALLS["GetPayment"](pb_grpc.PaymentServiceStub(channel), [(CLIENT_IP_HEADER, "127.0.0.1")])
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_internal_callers_are_served() -> None:
    with payments() as stub:  # control: the service answers its internal callers directly
        assert create(stub).status == pb.PAYMENT_STATUS_PENDING


def test_the_callback_is_public_but_only_post(http: httpx.Client) -> None:
    assert http.post("/api/v1/payments/callback/cloudpayments?notification=pay", content=b"x=1").status_code == 401
    assert http.get("/api/v1/payments/callback/cloudpayments").status_code in (404, 405)
