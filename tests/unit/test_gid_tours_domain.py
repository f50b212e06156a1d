"""gid-service's pure tour pieces: publishing rules, route measures, page tokens and the
state of a live tour (trigger zones, skips, autoplay, resuming from an acknowledgement)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.gid.domain import page_tokens
from services.gid.domain.listening import Listening, Mark, local_distance_m
from services.gid.domain.model import (
    DEFAULT_TRIGGER_RADIUS_M,
    Cursor,
    LatLng,
    Leg,
    Narration,
    Stop,
    Tour,
    listening_seconds,
    measured,
    normalize,
)
from services.gid.domain.ogg_stream import StreamPosition
from services.runtime.errors import InvalidArgument


def _stop(i: int, lat: float, lon: float, radius: float = 0.0) -> Stop:
    return Stop(f"s{i}", f" Остановка {i} ", LatLng(lat, lon), (Narration("ru", "Раз два три четыре."),),
                trigger_radius=radius)


TOUR = normalize(Tour("t", "moscow", " Прогулка ", "", ("ru",), (
    _stop(0, 55.7553, 37.6178), _stop(1, 55.7525, 37.6231), _stop(2, 55.7512, 37.6283, 60),
    _stop(3, 55.7577, 37.6289))))


def test_normalize_draws_the_route_through_the_stops_and_defaults_trigger_zones() -> None:
    assert TOUR.title == "Прогулка" and TOUR.stops[0].title == "Остановка 0"
    assert TOUR.route == tuple(s.location for s in TOUR.stops)
    assert [s.trigger_radius for s in TOUR.stops] == [DEFAULT_TRIGGER_RADIUS_M] * 2 + [60, DEFAULT_TRIGGER_RADIUS_M]
    assert TOUR.stop_count == 4 and TOUR.start == TOUR.stops[0].location
    blank = Tour("t", "moscow", "abc", "", ("ru",), (Stop("a", "A", LatLng(1, 1), (Narration("ru", "  "),)),))
    with pytest.raises(InvalidArgument) as refused:
        normalize(blank)
    assert refused.value.violations[0].field == "stops[0].narrations"


def test_the_route_is_measured_from_its_legs_and_listening_is_added() -> None:
    tour = measured(TOUR, [Leg(400, 300, "pgrouting"), Leg(350, 260, "pgrouting"), Leg(700, 500, "geodesic")])
    assert tour.measure.distance_m == 1450 and tour.measure.walking_seconds == 1060
    assert tour.measure.method == "mixed"
    assert tour.duration_seconds == 1060 + 4 * listening_seconds("Раз два три четыре.")
    assert measured(TOUR, [Leg(1, 1, "pgrouting")] * 3).measure.method == "pgrouting"
    assert listening_seconds(" ".join(["слово"] * 160)) == 60


def test_page_tokens_carry_time_or_distance_and_are_bound_to_the_filters() -> None:
    newest = Cursor(create_time=datetime(2026, 11, 30, 12, tzinfo=UTC), id="b")
    assert page_tokens.decode(page_tokens.encode(newest, "f"), "f", nearest_first=False) == newest
    nearest = Cursor(distance_mm=1_234_567, id="kremlin")
    assert page_tokens.decode(page_tokens.encode(nearest, "f"), "f", nearest_first=True) == nearest
    with pytest.raises(InvalidArgument):
        page_tokens.decode(page_tokens.encode(nearest, "f"), "other filters", nearest_first=True)
    with pytest.raises(InvalidArgument):
        page_tokens.decode(page_tokens.encode(newest, "f"), "f", nearest_first=True)  # no distance in it


def test_local_distance_agrees_with_the_great_circle_over_short_distances() -> None:
    # Red Square to Zaryadye: 455 m by the great circle (PostGIS).
    assert local_distance_m(TOUR.stops[0].location, TOUR.stops[1].location) == pytest.approx(455, abs=2)


def _listening(**kw: object) -> Listening:
    return Listening(session="x", user_id="u", tour_id="t", version=1, language="ru", format="ogg",
                     autoplay=False, **kw)  # type: ignore[arg-type]


def test_entering_a_trigger_zone_queues_that_stop_once() -> None:
    state = _listening(pending=0)
    assert state.next_stop(TOUR) == 0
    state.begin(0)
    inside_2 = LatLng(55.7514, 37.6285)  # ~25 m from stop 2
    assert state.enter(TOUR, LatLng(55.7600, 37.6000)) is None  # nowhere
    assert state.enter(TOUR, inside_2) == 2
    state.finish_narration(TOUR)
    assert state.next_stop(TOUR) == 2 and state.next_stop(TOUR) is None  # taken once
    state.begin(2)
    assert state.enter(TOUR, inside_2) is None  # narrated already


def test_autoplay_goes_stop_by_stop_and_done_comes_once_after_the_last() -> None:
    state = _listening(pending=2)
    state.autoplay = True
    order = []
    while (stop := state.next_stop(TOUR)) is not None:
        state.begin(stop)
        order.append(stop)
        done = state.finish_narration(TOUR)
        assert done == (stop == 3)
    assert order == [2, 3]
    assert state.finish_narration(TOUR) is False


def test_skip_moves_to_the_next_stop_and_nothing_after_the_last() -> None:
    state = _listening()
    state.begin(1)
    assert state.skip(TOUR) == 2 and state.current is None and state.next_stop(TOUR) == 2
    state.begin(3)
    assert state.skip(TOUR) is None


def test_acknowledgements_never_go_back_nor_past_what_was_sent() -> None:
    state = _listening(offset=1000)
    state.ack(600)
    state.ack(400)
    assert state.acked == 600
    state.ack(5000)
    assert state.acked == 1000


def test_rewind_resumes_inside_the_piece_holding_the_acknowledged_byte() -> None:
    state = _listening()
    state.begin(0)
    state.marks = [Mark(0, 0, 0, StreamPosition()), Mark(4000, 0, 1, StreamPosition(10, 48_000)),
                   Mark(9000, 1, 0, StreamPosition(20, 96_000))]
    state.begin(1)
    state.offset, state.acked, state.done_at = 12_000, 5_500, 11_000
    assert state.rewind() == 5_500
    assert (state.current, state.next_piece, state.ogg, state.offset) == (0, 1, StreamPosition(10, 48_000), 5_500)
    assert [m.offset for m in state.marks] == [0, 4000]
    assert state.pending == 1 and state.played == [0] and state.done_at is None
    mark, skip = state.mark()
    assert (mark.offset, skip) == (4000, 1_500)  # the piece again, without its first 1,500 bytes
    assert state.mark()[1] == 0  # then pieces as usual


def test_a_stop_begun_without_audio_before_the_acknowledgement_is_narrated_again() -> None:
    # Saved just as stop 1 began (its notices sent, none of its audio yet): after a
    # rewind into stop 0, stop 1 comes next, not stop 2.
    state = _listening()
    state.autoplay = True
    state.begin(0)
    state.marks = [Mark(0, 0, 0, StreamPosition()), Mark(4000, 0, 1, StreamPosition(10, 48_000))]
    state.begin(1)
    state.offset, state.acked = 9000, 3000
    state.rewind()
    assert (state.current, state.played) == (0, [0])
    state.finish_narration(TOUR)
    assert state.next_stop(TOUR) == 1


def test_a_rewind_before_any_audio_starts_over() -> None:
    state = _listening()
    state.begin(2)
    assert state.rewind() == 0
    assert (state.current, state.pending, state.played, state.offset) == (None, 2, [], 0)


def test_state_round_trips_through_json() -> None:
    state = _listening(pending=1, marks=[Mark(0, 0, 0, StreamPosition(3, 9))], ogg=StreamPosition(3, 9))
    state.begin(0)
    assert Listening.from_json(state.to_json()) == state
