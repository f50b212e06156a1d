"""`kgo events tail <topic>`: Kafka events as JSON lines, protobuf payload decoded by
its ce_type header."""

from __future__ import annotations

import importlib
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError
from google.protobuf import descriptor_pool, json_format, message_factory

from kgo import topology
from services.runtime.messaging.envelope import header_dict


def _load_event_types() -> None:
    """Import every generated events_pb2 so their messages are in the symbol database."""
    import kulturago

    # Generated packages have no __init__.py (namespace packages): walk the files.
    for root in map(Path, kulturago.__path__):
        for file in root.rglob("*_pb2.py"):
            dotted = ".".join(("kulturago", *file.relative_to(root).with_suffix("").parts))
            importlib.import_module(dotted)


def decode(ce_type: str, payload: bytes) -> dict[str, Any] | None:
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(ce_type)
    except KeyError:
        return None
    message = message_factory.GetMessageClass(descriptor)()
    message.ParseFromString(payload)
    return json_format.MessageToDict(message)


def tail(topic: str, *, from_beginning: bool = False, limit: int = 0, timeout: float = 0.0,
         bootstrap: str | None = None) -> int:
    _load_event_types()
    consumer = Consumer({
        "bootstrap.servers": bootstrap or f"127.0.0.1:{topology.KAFKA_PORT}",
        "group.id": f"kgo-tail-{uuid.uuid4()}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest" if from_beginning else "latest",
        "log_level": 3,
    })
    consumer.subscribe([topic])
    seen = 0
    last = time.monotonic()
    try:
        while not limit or seen < limit:
            msg = consumer.poll(0.5)
            if msg is None:
                if timeout and time.monotonic() - last > timeout:
                    break
                continue
            error = msg.error()
            if error is not None:
                if error.code() not in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                    print(f"kgo: {error}", file=sys.stderr)
                continue
            last = time.monotonic()
            headers = header_dict(msg.headers())
            payload = msg.value() or b""
            decoded = decode(headers.get("ce_type", ""), payload)
            record = {
                "topic": msg.topic(), "partition": msg.partition(), "offset": msg.offset(),
                "key": (msg.key() or b"").decode("utf-8", "replace"), "headers": headers,
                "payload": decoded if decoded is not None else payload.hex(),
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
            seen += 1
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return 0
