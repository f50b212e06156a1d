"""Domain events of event-service (past tense); published as protobuf via the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from services.event.domain.model import Event


@dataclass(frozen=True, slots=True)
class EventPublished:
    """An event was created or replaced in the catalog (`event` as stored, with its version)."""

    event: Event
