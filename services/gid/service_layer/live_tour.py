"""Use case: a live tour for one listener over one connection.

The listener's control messages change the session's state (domain/listening.py); a
stream loop sends what the state asks for: a `stop` and a `narration` notice when a
stop's narration begins, then its pieces as audio (each announced by a `segment`
notice), `narrationEnd`, and `done` after the last stop. Audio is sent ahead of the
listener by at most `window_bytes` beyond its last acknowledgement, in messages of
whole Ogg pages (or MP3 frames). The first piece of a narration is asked for first and
the others queued behind it, so the listener hears the first sentence while the next
are synthesised. The session is saved in Redis: a new connection that names it resumes
from the listener's last acknowledged byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.gid.domain.audio_frames import chunks, mp3_frames
from services.gid.domain.listening import Listening
from services.gid.domain.model import LatLng, Tour
from services.gid.domain.ogg_stream import StreamPosition, restream_pages
from services.gid.domain.speech import FORMATS, Utterance, narration_pieces
from services.gid.service_layer.ports import ListeningStore
from services.gid.service_layer.speech import Speech
from services.gid.service_layer.tours import RecentTours
from services.runtime.cache import CACHE_ERRORS, SizedLru
from services.runtime.errors import FailedPrecondition, InvalidArgument, PermissionDenied, ServiceError
from services.runtime.logging import get_logger

log = get_logger(__name__)


# --- what the listener sends (parsed by the entrypoint) ---------------------------

@dataclass(frozen=True, slots=True)
class Start:
    language: str = ""  # empty: the tour's first
    from_stop: int = 0
    format: str = "ogg"
    autoplay: bool = False
    session: str = ""  # resume this session instead of starting anew


@dataclass(frozen=True, slots=True)
class Position:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Skip:
    pass


@dataclass(frozen=True, slots=True)
class Pause:
    pass


@dataclass(frozen=True, slots=True)
class Resume:
    pass


@dataclass(frozen=True, slots=True)
class Ack:
    offset: int


Control = Start | Position | Skip | Pause | Resume | Ack


def error_notice(error: ServiceError) -> dict[str, Any]:
    """The `error` notice of a refused message: its reason, message and field."""
    field_name = error.violations[0].field if error.violations else ""
    return {"type": "error", "reason": error.reason, "message": error.message,
            **({"field": field_name} if field_name else {})}


class Channel(Protocol):
    """The connection to the listener: JSON notices and binary audio, in order."""

    async def notice(self, message: dict[str, Any]) -> None: ...

    async def audio(self, data: bytes) -> None: ...


# A piece as a listener gets it: its bytes, the end offsets of its frames, and where the
# Ogg stream stands after each frame.
Outgoing = tuple[bytes, list[int], dict[int, StreamPosition]]


@dataclass
class LiveTours:
    tours: RecentTours
    speech: Speech
    sessions: ListeningStore
    window_bytes: int = 96 * 1024
    message_bytes: int = 8 * 1024
    # A session is saved at most this often (and when its connection ends): a server that
    # dies loses at most this much of it; a dropped connection loses nothing.
    save_every_seconds: float = 0.5
    # Pieces as listeners get them, by (piece, format, stream position): listeners who
    # start a tour alike get the same bytes, rewritten once.
    outgoing_cache_bytes: int = 32 * 1024 * 1024
    _outgoing: SizedLru[tuple[str, str, StreamPosition], Outgoing] = field(init=False)

    def __post_init__(self) -> None:
        self._outgoing = SizedLru(self.outgoing_cache_bytes)

    def outgoing(self, content_hash: str, fmt: str, data: bytes, at: StreamPosition) -> Outgoing:
        """The piece as the listener gets it (Ogg pages rewritten into the listener's
        stream, or MP3 frames as they are), from the cache when someone got it alike."""
        key = (content_hash, fmt, at if fmt == "ogg" else StreamPosition())
        found = self._outgoing.get(key)
        if found is None:
            if fmt == "ogg":
                frames = restream_pages(data, at)
            else:
                ends = mp3_frames(data)
                frames = [(data[a:b], at) for a, b in zip([0, *ends], ends, strict=False)]
            ends, positions, total = [], {}, 0
            for frame, position in frames:
                total += len(frame)
                ends.append(total)
                positions[total] = position
            found = (b"".join(frame for frame, _ in frames), ends, positions)
            self._outgoing.put(key, found, total)
        return found

    async def serve(self, user_id: str, tour_id: str, channel: Channel, controls: AsyncIterator[Control]) -> None:
        """Until the listener goes: the first message must be `start`; errors in later
        messages are told to the listener, who may go on."""
        first = await anext(controls, None)
        if first is None:
            return
        if not isinstance(first, Start):
            raise FailedPrecondition("the first message must be `start`", "START_FIRST")
        tour, state = await self._open(user_id, tour_id, first)
        stream = _Stream(self, tour, state, channel)
        await stream.notice({"type": "session", "session": state.session, "tourId": tour.id,
                             "version": tour.version, "language": state.language, "format": state.format,
                             "autoplay": state.autoplay, "stops": len(tour.stops), "offset": state.offset,
                             "resumed": bool(first.session)})
        writer = asyncio.create_task(stream.run(), name=f"live-tour:{state.session}")
        reader = asyncio.create_task(stream.read(controls), name=f"live-tour-controls:{state.session}")
        try:
            done, _ = await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # the writer's errors end the session (and are told by the caller)
        finally:
            for task in (writer, reader):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await stream.save(now=True)

    async def _open(self, user_id: str, tour_id: str, start: Start) -> tuple[Tour, Listening]:
        tour = await self.tours.get(tour_id)
        if start.session:
            state = await self.sessions.load(start.session)
            if state is None or state.tour_id != tour.id:
                raise InvalidArgument.on_field("session", "no such session of this tour (it lasts 30 minutes)",
                                               "SESSION_UNKNOWN")
            if state.user_id != user_id:
                raise PermissionDenied("the session belongs to another listener", "SESSION_NOT_YOURS")
            if state.version != tour.version:
                raise FailedPrecondition("the tour was changed since: start it again", "TOUR_CHANGED")
            state.rewind()
            return tour, state
        language = start.language or tour.language
        if language not in tour.languages:
            raise InvalidArgument.on_field("language", f"this tour is narrated in {', '.join(tour.languages)}")
        if start.format not in FORMATS:
            raise InvalidArgument.on_field("format", "one of " + ", ".join(FORMATS))
        if not 0 <= start.from_stop < len(tour.stops):
            raise InvalidArgument.on_field("fromStop", f"the tour has stops 0..{len(tour.stops) - 1}")
        state = Listening(session=secrets.token_urlsafe(12), user_id=user_id, tour_id=tour.id, version=tour.version,
                          language=language, format=start.format, autoplay=start.autoplay, pending=start.from_stop)
        await self.sessions.save(state)
        return tour, state


@dataclass
class _Stream:
    tours: LiveTours
    tour: Tour
    state: Listening
    channel: Channel
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _generation: int = 0  # +1 on every skip: a piece being sent stops when it changes
    _pieces: dict[int, list[Utterance]] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _background: set[asyncio.Task[None]] = field(default_factory=set)
    _saved_at: float = 0.0
    _save_scheduled: bool = False

    # --- the listener's messages ---------------------------------------------------

    async def read(self, controls: AsyncIterator[Control]) -> None:
        async for control in controls:
            try:
                await self.handle(control)
            except ServiceError as error:
                await self.error(error)

    async def handle(self, control: Control) -> None:
        state = self.state
        match control:
            case Ack(offset):
                state.ack(offset)
                await self.save()
            case Position(lat, lon):
                stop = state.enter(self.tour, LatLng(lat, lon))
                if stop is not None:
                    self._prefetch(stop)
            case Skip():
                self._generation += 1
                if state.skip(self.tour) is None and state.done_at is None:
                    await self._tour_done()
            case Pause():
                state.paused = True
                await self.notice({"type": "paused", "offset": state.offset})
            case Resume():
                state.paused = False
                await self.notice({"type": "resumed", "offset": state.offset})
            case Start():
                raise FailedPrecondition("the session has started already", "ALREADY_STARTED")
        self._wake.set()

    # --- the stream ------------------------------------------------------------------

    async def run(self) -> None:
        state = self.state
        while True:
            if state.current is None:
                stop = state.next_stop(self.tour)
                if stop is None:
                    await self._sleep()
                    continue
                await self._begin(stop)
            assert state.current is not None
            pieces = self._narration(state.current)
            if state.next_piece >= len(pieces):
                await self.notice({"type": "narrationEnd", "stop": state.current, "offset": state.offset})
                if state.finish_narration(self.tour):
                    await self.notice({"type": "done", "offset": state.offset})
                await self.save()
                continue
            await self._send_piece(state.current, pieces)

    async def _begin(self, index: int) -> None:
        state, stop = self.state, self.tour.stops[index]
        state.begin(index)
        self._prefetch(index)
        if state.autoplay and index + 1 < len(self.tour.stops):
            self._prefetch(index + 1)  # the next stop's narration is heard next: have it ready
        await self.notice({"type": "stop", "stop": index, "id": stop.id, "title": stop.title_in(state.language),
                           "lat": stop.location.lat, "lon": stop.location.lon, "offset": state.offset})
        await self.notice({"type": "narration", "stop": index, "pieces": len(self._narration(index)),
                           "offset": state.offset})
        await self.save()

    async def _send_piece(self, stop: int, pieces: list[Utterance]) -> None:
        state, generation = self.state, self._generation
        index = state.next_piece
        spoken = await self.tours.speech.speak(pieces[index])
        data = await self.tours.speech.audio(spoken.speech, FORMATS[state.format])
        if self._generation != generation:
            return  # skipped while it was being synthesised
        mark, skip = state.mark()
        joined, ends, positions = self.tours.outgoing(spoken.speech.hash, state.format, data, mark.position)
        if skip == 0:
            await self.notice({"type": "segment", "stop": stop, "piece": index, "offset": mark.offset,
                               "bytes": len(joined), "durationMs": spoken.speech.duration_ms})
        await self.save()
        for begin, end in chunks(joined, ends, skip, self.tours.message_bytes):
            while not state.can_send(self.tours.window_bytes):
                await self._sleep()
                if self._generation != generation:
                    return
            if self._generation != generation:
                return
            await self.audio(joined[begin:end])
            state.sent(end - begin, positions.get(end, state.ogg))
        state.next_piece = index + 1

    def _narration(self, index: int) -> list[Utterance]:
        if index not in self._pieces:
            narration = self.tour.stops[index].narration(self.state.language)
            self._pieces[index] = narration_pieces(narration.text, self.state.language) if narration else []
        return self._pieces[index]

    def _prefetch(self, index: int) -> None:
        task = asyncio.create_task(self.tours.speech.prefetch(self._narration(index)))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _tour_done(self) -> None:
        self.state.done_at = self.state.offset
        await self.notice({"type": "done", "offset": self.state.offset})

    async def _sleep(self) -> None:
        self._wake.clear()
        await self._wake.wait()

    # --- output --------------------------------------------------------------------

    async def notice(self, message: dict[str, Any]) -> None:
        async with self._lock:
            await self.channel.notice(message)

    async def audio(self, data: bytes) -> None:
        async with self._lock:
            await self.channel.audio(data)

    async def error(self, error: ServiceError) -> None:
        await self.notice(error_notice(error))

    async def save(self, *, now: bool = False) -> None:
        """Save the session, at most every `save_every_seconds` (a later change is saved
        by a delayed save then). A failure is logged: the stream goes on, and a resume
        would start from the last state saved."""
        wait = self.tours.save_every_seconds - (time.monotonic() - self._saved_at)
        if not now and wait > 0:
            if not self._save_scheduled:
                self._save_scheduled = True
                task = asyncio.create_task(self._save_later(wait))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
            return
        self._saved_at = time.monotonic()
        try:
            await self.tours.sessions.save(self.state)
        except CACHE_ERRORS as exc:
            log.warning("live tour session not saved", session=self.state.session, error=str(exc))

    async def _save_later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._save_scheduled = False
        await self.save(now=True)
