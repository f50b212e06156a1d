"""A listener's live tour, as a state: what is being narrated, what comes next, how far
the stream got and how far the listener acknowledged it. The WebSocket entrypoint feeds
it the listener's control messages; the stream loop (service_layer/live_tour.py) asks
it what to send. Serialisable, so a dropped connection resumes where the listener's
last acknowledgement was, on any replica. Pure."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from services.gid.domain.model import LatLng, Tour
from services.gid.domain.ogg_stream import StreamPosition

EARTH_RADIUS_M = 6_371_008.8


def local_distance_m(a: LatLng, b: LatLng) -> float:
    """Distance on a local flat map (equirectangular): within 0.1 % over the few hundred
    metres of a trigger zone, and cheap enough for every position update."""
    mean_lat = math.radians((a.lat + b.lat) / 2)
    dx = math.radians(b.lon - a.lon) * math.cos(mean_lat)
    dy = math.radians(b.lat - a.lat)
    return EARTH_RADIUS_M * math.hypot(dx, dy)


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a piece of a narration begins in the listener's stream."""

    offset: int
    stop: int
    piece: int
    position: StreamPosition  # of the Ogg stream before the piece (unused for MP3)


@dataclass
class Listening:
    session: str
    user_id: str
    tour_id: str
    version: int
    language: str
    format: str  # "ogg" | "mp3"
    autoplay: bool  # stops one after another, without positions (listening at home)
    offset: int = 0  # bytes put into the stream
    acked: int = 0  # bytes the listener confirmed having
    current: int | None = None  # the stop being narrated
    next_piece: int = 0  # of the current narration
    pending: int | None = None  # a stop whose zone was entered during another narration
    played: list[int] = field(default_factory=list)  # stops whose narration began, in order
    paused: bool = False
    done_at: int | None = None  # offset at which `done` was sent
    ogg: StreamPosition = field(default_factory=StreamPosition)
    marks: list[Mark] = field(default_factory=list)
    # Set by `rewind`: the piece of the last mark is produced again and sent from here on.
    resume_from: int | None = None

    # --- the listener's messages -------------------------------------------------

    def ack(self, offset: int) -> None:
        """Acknowledgements only move forward, and never past what was sent."""
        self.acked = max(self.acked, min(offset, self.offset))

    def enter(self, tour: Tour, where: LatLng) -> int | None:
        """A position update: the stop whose trigger zone the listener is in, not narrated
        yet (the nearest when zones overlap), which then starts or is next; None if none."""
        inside = [(local_distance_m(s.location, where), i) for i, s in enumerate(tour.stops)
                  if i not in self.played and i != self.current
                  and local_distance_m(s.location, where) <= s.trigger_radius]
        if not inside:
            return None
        stop = min(inside)[1]
        self.pending = stop
        return stop

    def skip(self, tour: Tour) -> int | None:
        """Leave the current narration for the next stop (by index); None at the last one."""
        after = self.current if self.current is not None else (self.played[-1] if self.played else -1)
        self.current = None
        following = after + 1
        if following >= len(tour.stops):
            self.pending = None
            return None
        self.pending = following
        return following

    # --- the stream loop ---------------------------------------------------------

    def next_stop(self, tour: Tour) -> int | None:
        """What to narrate now that nothing is: a stop whose zone was entered, or in
        autoplay the one after the last narrated; None: wait for the listener."""
        if self.pending is not None:
            stop, self.pending = self.pending, None
            return stop
        if self.autoplay and self.played and self.played[-1] + 1 < len(tour.stops):
            return self.played[-1] + 1
        return None

    def begin(self, stop: int) -> None:
        self.current, self.next_piece = stop, 0
        if stop in self.played:
            self.played.remove(stop)
        self.played.append(stop)

    def can_send(self, window: int) -> bool:
        return not self.paused and self.offset - self.acked < window

    def mark(self) -> tuple[Mark, int]:
        """Where the next piece begins, and how many of its bytes the listener already
        has (after a rewind into it; else 0)."""
        assert self.current is not None
        if self.resume_from is not None and self.marks:
            mark, skip = self.marks[-1], self.resume_from - self.marks[-1].offset
            self.resume_from = None
            return mark, skip
        mark = Mark(self.offset, self.current, self.next_piece, self.ogg)
        self.marks.append(mark)
        return mark, 0

    def sent(self, size: int, ogg: StreamPosition) -> None:
        self.offset += size
        self.ogg = ogg

    def finish_narration(self, tour: Tour) -> bool:
        """The current narration was sent whole; True when that completes the tour (its
        last stop), which the listener is told once."""
        last = self.current == len(tour.stops) - 1
        self.current = None
        if last and self.done_at is None:
            self.done_at = self.offset
            return True
        return False

    # --- resuming ---------------------------------------------------------------

    def rewind(self) -> int:
        """After a dropped connection: continue from the last acknowledged byte. Pieces
        sent after it are sent again (the same bytes); a stop whose narration had not
        reached it is narrated again. Returns the offset the stream continues from."""
        kept = [m for m in self.marks if m.offset <= self.acked]
        heard = list(dict.fromkeys(m.stop for m in kept))  # stops with audio before the byte
        # Begun since (or begun without a byte sent yet, by the time the state was saved).
        later = [stop for stop in self.played if stop not in heard]
        self.marks, self.played, self.paused = kept, heard, False
        if later:
            self.pending = later[0]
        if self.done_at is not None and self.done_at > self.acked:
            self.done_at = None
        if not kept:  # nothing was sent: start again
            self.current, self.next_piece, self.ogg, self.offset = None, 0, StreamPosition(), 0
            return 0
        resume = kept[-1]
        self.current, self.next_piece, self.ogg = resume.stop, resume.piece, resume.position
        # The stream goes on from `acked`: the mark's piece is produced again and cut there.
        self.offset = self.resume_from = self.acked
        return self.acked

    # --- storage ------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Listening:
        data: dict[str, Any] = json.loads(raw)
        data["ogg"] = StreamPosition(**data["ogg"])
        data["marks"] = [Mark(m["offset"], m["stop"], m["piece"], StreamPosition(**m["position"]))
                         for m in data["marks"]]
        return cls(**data)
