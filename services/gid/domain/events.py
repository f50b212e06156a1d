"""Domain events of gid-service (past tense); published as protobuf via the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from services.gid.domain.model import Tour


@dataclass(frozen=True, slots=True)
class TourPublished:
    """A tour was created or replaced (`tour` as stored, with its version)."""

    tour: Tour
