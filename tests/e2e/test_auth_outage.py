"""Kafka outage: profile updates keep working while Kafka is down, and their
user.updated events arrive once each, in order, after it is back (transactional
outbox + idempotent producer)."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from auth_support import Account
from kafka_support import read_topic, wait_for_broker

from kgo import paths
from kulturago.auth.v1 import events_pb2

UPDATES = 5


def kgo(*args: str) -> None:
    result = subprocess.run([str(paths.VENV / "bin" / "kgo"), *args], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, f"kgo {' '.join(args)}: {result.stdout}{result.stderr}"


@pytest.mark.disruptive
def test_updates_during_a_kafka_outage_are_published_once_after_it(http: httpx.Client, account: Account) -> None:
    cities = [f"Город {i}" for i in range(UPDATES)]
    kgo("stop", "kafka")
    try:
        for city in cities:
            reply = http.put("/api/v1/profile", headers=account.headers, json={"city": city})
            assert reply.status_code == 200, reply.text
            assert reply.json()["city"] == city
    finally:
        # Whatever happened above, the rest of the suite (and the developer) needs Kafka.
        kgo("start", "kafka")
        wait_for_broker(timeout=120)

    records = read_topic("user.updated", key=account.id, timeout=90,
                         until=lambda found: len({r.ce_id for r in found}) >= UPDATES)
    ce_ids = [r.ce_id for r in records]
    assert len(set(ce_ids)) == UPDATES, f"{len(set(ce_ids))} of {UPDATES} events arrived"
    assert len(ce_ids) == UPDATES, f"duplicates: {ce_ids}"
    # One partition per key and an idempotent producer: the order of the updates holds.
    assert [events_pb2.UserUpdated.FromString(r.value).city for r in records] == cities
