"""Use cases: recommendations for a user (cold start or personal), similar events, picks.

Everything a request needs is in memory (the catalog snapshot with its content
embeddings and popularity, the serving model) except the user's short-term profile,
one Redis round trip. The state is replaced whole when the catalog, the popularity or
the model changes, so a request that started on the old one finishes on it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from services.recommendation.adapters.onnx_model import ServingModel
from services.recommendation.domain import content, ranking
from services.recommendation.domain.actions import RecentAction, item_weights
from services.recommendation.domain.catalog import CatalogItem, CatalogSnapshot, snapshot
from services.runtime.errors import NotFound

CITY_NAMES = {"moscow": ("Москва", "в Москве"), "spb": ("Санкт-Петербург", "в Петербурге")}
_CITY_WORDS = {"москва": "moscow", "moscow": "moscow", "мск": "moscow", "санкт-петербург": "spb", "петербург": "spb",
               "спб": "spb", "питер": "spb", "spb": "spb", "saint petersburg": "spb", "st. petersburg": "spb"}
CITY_CENTRES = {"moscow": (55.7558, 37.6173), "spb": (59.9343, 30.3351)}
_POPULAR = {"today": "Популярно сегодня", "tomorrow": "Популярно завтра", "weekend": "Популярно в эти выходные",
            "week": "Популярно на этой неделе"}
CANDIDATES = 200


def city_word(profile_city: str) -> str:
    """A profile's free-text city («Москва», «СПб») as a catalog city, or ''."""
    return _CITY_WORDS.get(profile_city.strip().lower(), "")


def nearest_city(lat: float, lon: float) -> str:
    return min(CITY_CENTRES, key=lambda c: (CITY_CENTRES[c][0] - lat) ** 2 + (CITY_CENTRES[c][1] - lon) ** 2)


@dataclass(frozen=True)
class State:
    """One consistent view: catalog snapshot, its embeddings and popularity, the model
    and the map between the model's item rows and the snapshot's."""

    snapshot: CatalogSnapshot
    embeddings: NDArray[np.float32]
    popularity: NDArray[np.float64]  # normalised, [0, 1]
    model: ServingModel | None = None
    to_model: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # -1: not in model
    from_model: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def model_version(self) -> str:
        return self.model.version if self.model else "none"


def align(state: State, model: ServingModel | None) -> State:
    rows = state.snapshot.items
    if model is None:
        return replace(state, model=None, to_model=np.full(len(rows), -1), from_model=np.zeros(0, dtype=np.int64))
    to_model = np.array([model.item_row.get(i.slug, -1) for i in rows], dtype=np.int64)
    from_model = np.full(len(model.side.item_slugs), -1, dtype=np.int64)
    known = to_model >= 0
    from_model[to_model[known]] = np.flatnonzero(known)
    return replace(state, model=model, to_model=to_model, from_model=from_model)


def build_state(items: list[CatalogItem], popularity: dict[str, float], now: datetime,
                model: ServingModel | None, previous: State | None = None) -> State:
    """CPU work (run in a thread): the snapshot, embeddings (reused when the items did
    not change) and popularity aligned to it."""
    snap = snapshot(items, now)
    if previous is not None and previous.snapshot.items == snap.items:
        embeddings = previous.embeddings
    else:
        embeddings = content.embed(snap.items)
    pop = ranking.normalised_popularity(np.array([popularity.get(i.slug, 0.0) for i in snap.items]))
    return align(State(snapshot=snap, embeddings=embeddings, popularity=pop), model)


@dataclass(frozen=True)
class Request:
    limit: int = 20
    city: str = ""
    when: str = ""
    kids: bool = False
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Pick:
    item: CatalogItem
    score: float
    reason: str
    reason_code: str
    next_start: float  # epoch seconds


@dataclass(frozen=True)
class Answer:
    picks: list[Pick]
    model_version: str
    strategy: str


class ShortTermProfiles(Protocol):
    async def recall(self, user_id: str) -> tuple[list[RecentAction], set[str]]: ...


# user id -> (profile city, interests)
StatedProfile = Callable[[str], Awaitable[tuple[str, tuple[str, ...]]]]


@dataclass
class Recommender:
    profiles: ShortTermProfiles
    stated: StatedProfile
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    state: State | None = None
    _picks: dict[tuple[str, str, int], tuple[float, Answer]] = field(default_factory=dict)

    def current(self) -> State:
        if self.state is None:
            from services.runtime.errors import Unavailable
            raise Unavailable("the catalog is still loading", "CATALOG_LOADING")
        return self.state

    def swap(self, state: State) -> None:
        self.state = state
        self._picks.clear()

    async def recommend(self, request: Request, user_id: str | None) -> Answer:
        state = self.current()
        snap = state.snapshot
        recent: list[RecentAction] = []
        bought: set[str] = set()
        interests: tuple[str, ...] = ()
        city = request.city
        if user_id:
            (recent, bought), (profile_city, interests) = await asyncio.gather(
                self.profiles.recall(user_id), self.stated(user_id))
            city = city or (nearest_city(request.lat, request.lon) if request.lat is not None and request.lon
                            is not None else city_word(profile_city))
        elif request.lat is not None and request.lon is not None:
            city = city or nearest_city(request.lat, request.lon)
        allowed = self._allowed(snap, city, request.when, request.kids)
        for slug in bought:
            row = snap.row.get(slug)
            if row is not None:
                allowed[row] = False
        liked = {snap.row[s]: w for s, w in item_weights(recent, self.clock()).items() if s in snap.row}
        known_user = bool(user_id and state.model and user_id in state.model.user_row)
        personal = bool(liked) or known_user
        weights = ranking.PERSONAL if personal else ranking.COLD_START
        near = (ranking.nearness(snap.lat, snap.lon, request.lat, request.lon)
                if request.lat is not None and request.lon is not None else None)
        signals = ranking.Signals(
            popularity=state.popularity, interests=snap.matching(interests) if interests else None, near=near,
            content=ranking.content_affinity(state.embeddings, liked) if liked else None,
            category=ranking.category_affinity(snap.category, liked) if liked else None)
        scores = ranking.bias(signals, weights, allowed, snap.sold_out)
        model_part = np.zeros(len(snap))
        user_vector = self._user_vector(state, user_id, recent) if personal else None
        if user_vector is not None and state.model is not None:
            candidates, scores, model_part = self._with_model(state, scores, weights.model * user_vector)
        else:
            candidates = ranking.top(scores, CANDIDATES)
        chosen = ranking.diversify(candidates.tolist(), scores, snap.category, request.limit, weights.category_repeat)
        picks = [self._pick(state, row, float(scores[row]), request, signals, liked, float(model_part[row]))
                 for row in chosen]
        return Answer(picks, state.model_version, "personal" if personal else "cold_start")

    def _allowed(self, snap: CatalogSnapshot, city: str, when: str, kids: bool) -> NDArray[np.bool_]:
        allowed = snap.city_mask(city or None).copy()
        if when:
            allowed &= snap.in_window[when]
        if kids:
            allowed &= snap.kids
        return allowed

    def _user_vector(self, state: State, user_id: str | None, recent: list[RecentAction]
                     ) -> NDArray[np.float32] | None:
        model = state.model
        if model is None:
            return None
        weights = item_weights(recent, self.clock())
        rows = np.array([model.item_row[s] for s in weights if s in model.item_row], dtype=np.int64)
        strength = np.array([weights[s] for s in weights if s in model.item_row], dtype=np.float32)
        folded = model.fold_in(rows, strength) if len(rows) else None
        long_term = model.side.user_factors[model.user_row[user_id]] if user_id in model.user_row else None
        if folded is not None and long_term is not None:
            return (0.5 * (folded + long_term)).astype(np.float32)
        return folded if folded is not None else long_term

    def _with_model(self, state: State, scores: NDArray[np.float64], user: NDArray[np.float32]
                    ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        """Model items through the ONNX graph (user x items + bias, TopK), the rest (events
        newer than the model) by their bias alone; one candidate list, best first."""
        model = state.model
        assert model is not None
        bias = np.full(len(state.from_model), ranking.EXCLUDED, dtype=np.float32)
        known = state.from_model >= 0
        bias[known] = scores[state.from_model[known]]
        top_scores, top_rows = model.top(user, bias, CANDIDATES)
        final = scores.copy()
        model_part = np.zeros(len(scores))
        keep = (top_scores > ranking.EXCLUDED / 2) & (state.from_model[top_rows] >= 0)
        rows = state.from_model[top_rows[keep]]
        final[rows] = top_scores[keep]
        model_part[rows] = top_scores[keep] - scores[rows]
        newer = np.where(state.to_model < 0, scores, ranking.EXCLUDED)
        merged = np.concatenate([rows, ranking.top(newer, CANDIDATES)])
        return merged[np.argsort(-final[merged], kind="stable")], final, model_part

    def _pick(self, state: State, row: int, score: float, request: Request, signals: ranking.Signals,
              liked: dict[int, float], model_part: float) -> Pick:
        snap = state.snapshot
        item = snap.items[row]
        nxt = snap.next_in_window[request.when][row] if request.when else snap.next_start[row]
        reason, code = self._reason(state, row, request, signals, liked, model_part)
        return Pick(item, score, reason, code, float(nxt))

    def _reason(self, state: State, row: int, request: Request, signals: ranking.Signals, liked: dict[int, float],
                model_part: float) -> tuple[str, str]:
        snap = state.snapshot
        if liked and signals.content is not None and signals.content[row] > 0.5:
            positive = np.array([r for r, w in liked.items() if w > 0 and r != row], dtype=np.int64)
            if len(positive):
                best = int(positive[np.argmax(state.embeddings[positive] @ state.embeddings[row])])
                return f"Потому что вам понравилось «{snap.items[best].title}»", "similar_to_liked"
        if model_part > 0.3:
            return "Выбирают люди с похожими вкусами", "model"
        if signals.interests is not None and signals.interests[row] > 0:
            return "По вашим интересам", "interests"
        if signals.near is not None and signals.near[row] > 0.5:
            return "Рядом с вами", "nearby"
        if request.kids:
            return "Можно с детьми", "for_kids"
        if request.when:
            return _POPULAR[request.when], "popular"
        city = snap.items[row].city
        return f"Популярно {CITY_NAMES.get(city, (city, city))[1]}", "popular"

    async def picks(self, kind: str, city: str, limit: int) -> tuple[str, Answer]:
        """The home screen's generated picks; computed once per catalog state and minute."""
        when, kids = {"today": ("today", False), "weekend": ("weekend", False), "kids": ("week", True)}[kind]
        key = (kind, city, limit)
        cached = self._picks.get(key)
        if cached is None or cached[0] < time.monotonic():
            answer = await self.recommend(Request(limit=limit, city=city, when=when, kids=kids), None)
            if kids:
                answer = Answer([replace(p, reason="Можно с детьми", reason_code="for_kids") for p in answer.picks],
                                answer.model_version, answer.strategy)
            cached = (time.monotonic() + 60.0, answer)
            self._picks[key] = cached
        where = f" {CITY_NAMES[city][1]}" if city in CITY_NAMES else ""
        title = {"today": f"Сегодня{where}", "weekend": f"На выходные{where}", "kids": f"С детьми{where}"}[kind]
        return title, cached[1]

    def similar(self, slug: str, limit: int) -> Answer:
        state = self.current()
        snap = state.snapshot
        row = snap.row.get(slug)
        if row is None:
            raise NotFound(f"no upcoming event {slug!r}", "EVENT_NOT_FOUND", {"slug": slug})
        scores = 0.7 * np.clip(state.embeddings.astype(np.float64) @ state.embeddings[row], 0.0, 1.0)
        model = state.model
        if model is not None and state.to_model[row] >= 0:
            neighbours = model.side.neighbours[state.to_model[row]]
            weights = model.side.neighbour_weights[state.to_model[row]]
            valid = neighbours >= 0
            mapped = state.from_model[neighbours[valid]]
            ok = mapped >= 0
            scores[mapped[ok]] += 0.3 * weights[valid][ok] / max(float(weights[valid].max(initial=0)), 1e-6)
        scores += 0.05 * (snap.city == snap.city[row])
        scores -= ranking.SOLD_OUT_PENALTY * snap.sold_out
        scores[row] = ranking.EXCLUDED
        title = snap.items[row].title
        chosen = ranking.top(scores, limit).tolist()
        picks = [Pick(snap.items[r], float(scores[r]), f"Похоже на «{title}»", "similar", float(snap.next_start[r]))
                 for r in chosen]
        return Answer(picks, state.model_version, "similar")
