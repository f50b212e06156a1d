"""Progress output for long provisioning steps."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

HEARTBEAT_SECONDS = 30.0


def say(message: str) -> None:
    print(f"kgo: {message}", file=sys.stderr, flush=True)


@contextmanager
def step(message: str) -> Iterator[None]:
    """Announce a step, say every HEARTBEAT_SECONDS that it is still running (a first
    SeaweedFS build or Kafka download takes minutes), and how long it took."""
    started = time.monotonic()
    finished = threading.Event()

    def heartbeat() -> None:
        while not finished.wait(HEARTBEAT_SECONDS):
            say(f"{message}: still running ({time.monotonic() - started:.0f}s)")

    say(f"{message} ...")
    ticker = threading.Thread(target=heartbeat, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        finished.set()
        ticker.join()
    say(f"{message}: done in {time.monotonic() - started:.1f}s")
