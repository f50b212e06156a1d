"""Prometheus metrics of notification-service (on its /metrics port)."""

from __future__ import annotations

from prometheus_client import Counter

DELIVERIES = Counter("notification_deliveries_total",
                     "Delivery attempts and decisions of this replica's dispatcher, by channel and outcome "
                     "(sent, retry, failed, token_gone, rejected, deferred)", ["channel", "outcome"])


def count_delivery(channel: str, outcome: str) -> None:
    DELIVERIES.labels(channel, outcome).inc()
