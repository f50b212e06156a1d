"""recommendation-service's pure domain: implicit ALS and fold-in, scoring and
re-ranking (excluded, sold out last, diversity), the offline metrics on hand-computed
cases, the time split, action validation and the short-term profile's weights, and the
model keeper's regression gate and nightly schedule."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

import numpy as np
import pytest
import scipy.sparse as sp

from services.recommendation.domain import als, ranking
from services.recommendation.domain.actions import (
    HALF_LIFE,
    Action,
    Kind,
    RecentAction,
    check_client_time,
    item_weights,
)
from services.recommendation.domain.evaluation import Split, evaluate, ndcg, recall, time_split
from services.recommendation.service_layer.actions import Actions, FavouriteRow, Reported
from services.recommendation.service_layer.models import ModelKeeper, next_nightly
from services.runtime.errors import InvalidArgument, ResourceExhausted

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


# --- ALS ---------------------------------------------------------------------------

def _two_tastes(users: int = 40, items: int = 20) -> sp.csr_matrix:
    """Users 0..19 act on items 0..9 only, users 20..39 on items 10..19 only (each on
    all but one item of their half, a different one per user)."""
    dense = np.zeros((users, items), dtype=np.float32)
    half = items // 2
    for u in range(users):
        block = range(0, half) if u < users // 2 else range(half, items)
        for i in block:
            if i % half != u % half:
                dense[u, i] = 1.0 + (u + i) % 3
    return sp.csr_matrix(dense)


def test_als_learns_which_block_each_user_belongs_to() -> None:
    x, y = als.train(_two_tastes(), als.AlsParams(factors=4, iterations=10, regularization=0.1, alpha=5.0))
    scores = x @ y.T
    for u in range(40):
        own = slice(0, 10) if u < 20 else slice(10, 20)
        other = slice(10, 20) if u < 20 else slice(0, 10)
        missing = u % 10 + (0 if u < 20 else 10)  # the one item of their half they never met
        assert scores[u, missing] > scores[u, other].max(), u
        assert scores[u, own].mean() > scores[u, other].mean() + 0.3


def test_fold_in_solves_the_users_normal_equations() -> None:
    _, y = als.train(_two_tastes(), als.AlsParams(factors=4, iterations=5))
    rows = np.array([1, 3, 4], dtype=np.int64)
    strength = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    alpha, reg = 3.0, 20.0
    user = als.fold_in(y, als.gram(y, reg), rows, strength, alpha)
    # The same equations written out densely: (Y'CY + reg I) x = Y'Cp.
    c = np.ones(len(y))
    c[rows] += alpha * np.log1p(strength)
    p = np.zeros(len(y))
    p[rows] = 1.0
    expected = np.linalg.solve(y.T @ np.diag(c) @ y + reg * np.eye(4), y.T @ (c * p))
    np.testing.assert_allclose(user, expected, rtol=1e-3, atol=1e-5)
    assert not als.fold_in(y, als.gram(y, reg), np.zeros(0, dtype=np.int64), np.zeros(0, np.float32), alpha).any()


def test_negative_iterations_make_a_deliberately_untrained_model() -> None:
    good = als.train(_two_tastes(), als.AlsParams(factors=4, iterations=8))
    bad = als.train(_two_tastes(), als.AlsParams(factors=4, iterations=-1))
    assert not np.allclose(good[1], bad[1])


def test_confidence_ignores_negative_strength() -> None:
    out = als.confidence(np.array([-3.0, 0.0, math.e - 1], dtype=np.float32), alpha=2.0)
    np.testing.assert_allclose(out, [0.0, 0.0, 2.0], rtol=1e-6)


# --- ranking -----------------------------------------------------------------------

def test_not_allowed_events_are_never_ranked_and_sold_out_ones_come_last() -> None:
    popularity = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    allowed = np.array([True, False, True, True, True])  # 1: bought already
    sold_out = np.array([True, False, False, False, False])  # 0: the most popular, sold out
    scores = ranking.bias(ranking.Signals(popularity=popularity), ranking.COLD_START, allowed, sold_out)
    assert ranking.top(scores, 10).tolist() == [2, 3, 4, 0]


def test_top_returns_the_k_best_in_order() -> None:
    scores = np.array([0.1, 0.5, ranking.EXCLUDED, 0.3, 0.9])
    assert ranking.top(scores, 2).tolist() == [4, 1]
    assert ranking.top(np.full(3, ranking.EXCLUDED), 5).tolist() == []


def test_diversify_charges_repeats_of_a_category() -> None:
    scores = np.array([1.0, 0.95, 0.9, 0.85])
    category = np.array([0, 0, 0, 1], dtype=np.int32)
    assert ranking.diversify([0, 1, 2, 3], scores, category, 4, repeat_cost=0.0) == [0, 1, 2, 3]
    # One earlier concert costs 0.12: the lecture (0.85) now beats the second concert (0.95 - 0.12).
    assert ranking.diversify([0, 1, 2, 3], scores, category, 4, repeat_cost=0.12) == [0, 3, 1, 2]
    assert ranking.diversify([0, 1, 2, 3], scores, category, 2, repeat_cost=0.12) == [0, 3]


def test_affinities_follow_what_the_user_liked() -> None:
    category = np.array([0, 0, 1, 2], dtype=np.int32)
    share = ranking.category_affinity(category, {0: 3.0, 2: 1.0, 3: -2.0})
    np.testing.assert_allclose(share, [0.75, 0.75, 0.25, 0.0])
    embeddings = np.eye(4, dtype=np.float32)
    affinity = ranking.content_affinity(embeddings, {1: 1.0})
    np.testing.assert_allclose(affinity, [0, 1, 0, 0])
    assert not ranking.content_affinity(embeddings, {}).any()


def test_popularity_is_log_damped_into_unit_range_and_nearness_decays() -> None:
    pop = ranking.normalised_popularity(np.array([0.0, math.e - 1, math.e ** 2 - 1]))
    np.testing.assert_allclose(pop, [0.0, 0.5, 1.0])
    near = ranking.nearness(np.array([55.75, 55.75 + 5 / 111.2, np.nan]), np.array([37.6, 37.6, 37.6]), 55.75, 37.6)
    np.testing.assert_allclose(near, [1.0, math.exp(-1), 0.0], rtol=1e-6)


# --- evaluation --------------------------------------------------------------------

def test_ndcg_by_hand() -> None:
    assert ndcg([5, 6, 7], {5}) == 1.0
    # one relevant item at rank 2: (1/log2 3) / (1/log2 2)
    assert ndcg([6, 5, 7], {5}) == pytest.approx(1 / math.log2(3))
    # two relevant at ranks 1 and 3, ideal ranks 1 and 2
    assert ndcg([1, 9, 2], {1, 2}) == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert ndcg([9, 8], {1}) == 0.0
    assert ndcg([1], set()) == 0.0
    assert ndcg([*range(10, 20), 1], {1}) == 0.0  # rank 11 is past the cut


def test_recall_by_hand() -> None:
    assert recall([1, 2, 3], {1, 3, 4, 5}) == pytest.approx(0.5)
    assert recall(list(range(20)), set(range(30))) == 1.0  # over min(20, 30)
    assert recall([1], set()) == 0.0


def test_time_split_keeps_only_new_future_items_of_users_with_a_past() -> None:
    users = np.array([0, 0, 0, 1, 2, 2, 2, 2, 2, 2], dtype=np.int64)
    items = np.array([0, 1, 0, 2, 1, 2, 3, 3, 3, 3], dtype=np.int64)
    strength = np.ones(10, dtype=np.float32)
    times = np.array([1, 2, 9, 10, 1, 2, 3, 4, 5, 6], dtype=np.float64)
    split = time_split(users, items, strength, times, n_items=4, holdout=0.2)  # cut: 8.2, 20% of 1..10 before 10
    assert dict(split.test) == {}  # user 0's future is an item met before; user 1 has no past
    times[5] = 10.0  # user 2 meets item 2 for the first time after the cut
    split = time_split(users, items, strength, times, n_items=4, holdout=0.2)
    assert dict(split.test) == {2: {2}}
    assert split.train[2] == {1: 1.0, 3: 4.0}
    assert split.item_users.tolist() == [1, 2, 0, 1]


def test_the_cut_is_by_time_so_a_burst_of_recent_actions_keeps_the_held_out_users() -> None:
    # 100 users with a past and a future over 10 days, then 5,000 actions of 5 users in the last minute.
    users = np.concatenate([np.repeat(np.arange(100), 2), np.repeat(np.arange(100, 105), 1000)])
    items = np.concatenate([np.tile([0, 1], 100), np.full(5000, 2)])
    times = np.concatenate([np.tile([1.0 * 86400, 9.5 * 86400], 100), np.full(5000, 10 * 86400 - 30.0)])
    split = time_split(users, items, np.ones(len(users), dtype=np.float32), times, n_items=3, holdout=0.2)
    assert len(split.test) == 100


def test_evaluate_averages_over_users_and_measures_coverage_and_novelty() -> None:
    split = Split(train={0: {0: 1.0}, 1: {0: 1.0}}, test={0: {1}, 1: {2}}, n_items=4,
                  item_users=np.array([2, 1, 0, 0]), n_users=2)
    ranked = {0: [1, 3], 1: [3, 1]}
    m = evaluate(split, lambda u: ranked[u])
    assert m.ndcg_at_10 == pytest.approx(0.5)  # a hit at rank 1, a miss
    assert m.recall_at_20 == pytest.approx(0.5)
    assert m.coverage == pytest.approx(0.5)  # items 1 and 3 of 4
    # self-information: item 1 met by 1 of 2 users = 1 bit, item 3 by none (counted as 1) = 1 bit
    assert m.novelty == pytest.approx(1.0)
    assert m.users == 2


# --- actions -----------------------------------------------------------------------

def test_client_times_are_believed_within_a_week_back_and_minutes_ahead() -> None:
    check_client_time(NOW - timedelta(days=6), NOW, "t")
    check_client_time(NOW + timedelta(minutes=4), NOW, "t")
    for bad in (NOW - timedelta(days=8), NOW + timedelta(minutes=6)):
        with pytest.raises(InvalidArgument) as caught:
            check_client_time(bad, NOW, "actions[3].clientTime")
        assert caught.value.violations[0].field == "actions[3].clientTime"


def test_recent_actions_decay_and_an_unfavourite_takes_back() -> None:
    recent = [RecentAction(Kind.VIEW, "a", NOW), RecentAction(Kind.VIEW, "a", NOW - HALF_LIFE),
              RecentAction(Kind.FAVOURITE, "b", NOW), RecentAction(Kind.UNFAVOURITE, "b", NOW)]
    weights = item_weights(recent, NOW)
    assert weights == {"a": pytest.approx(1.5), "b": pytest.approx(1.0)}
    assert RecentAction.decode(recent[0].encode()) == recent[0]
    assert RecentAction.decode("garbage") is None


class _Uow:
    def __init__(self) -> None:
        self.staged: list[tuple[Action, str]] = []

    async def stage_action(self, action: Action, source: str) -> None:
        self.staged.append((action, source))

    async def event_exists(self, slug: str) -> bool:
        return True

    async def add_favourite(self, user_id: str, slug: str, at: datetime) -> bool:
        return True

    async def remove_favourite(self, user_id: str, slug: str) -> bool:
        return True

    async def favourites(self, user_id: str, after: tuple[datetime, str] | None, limit: int) -> list[FavouriteRow]:
        return []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None


class _Budget:
    def __init__(self, left: int) -> None:
        self.left = left

    async def take(self, user_id: str, count: int) -> bool:
        self.left -= count
        return self.left >= 0


def _reported(kinds: Sequence[Kind], at: datetime = NOW) -> list[Reported]:
    return [Reported(f"A{n}", int(k), f"e{n}", at) for n, k in enumerate(kinds)]


async def test_apps_report_only_their_kinds_and_each_is_validated_by_position() -> None:
    uow = _Uow()
    actions = Actions(unit_of_work=lambda: uow, limiter=_Budget(10), clock=lambda: NOW)
    assert await actions.record("u", _reported([Kind.VIEW, Kind.SHARE])) == 2
    assert [(a.kind, a.action_id, s) for a, s in uow.staged] == [(Kind.VIEW, "a0", "app"), (Kind.SHARE, "a1", "app")]
    with pytest.raises(InvalidArgument) as caught:
        await actions.record("u", _reported([Kind.VIEW, Kind.PURCHASE]))  # a purchase comes from ticket.paid
    assert caught.value.violations[0].field == "actions[1].kind"
    with pytest.raises(InvalidArgument) as caught:
        await actions.record("u", [*_reported([Kind.VIEW]), Reported("b", 1, "e", NOW - timedelta(days=9))])
    assert caught.value.violations[0].field == "actions[1].clientTime"
    assert len(uow.staged) == 2  # a refused batch stages nothing


async def test_a_batch_over_the_budget_is_refused_whole() -> None:
    uow = _Uow()
    actions = Actions(unit_of_work=lambda: uow, limiter=_Budget(3), clock=lambda: NOW)
    with pytest.raises(ResourceExhausted):
        await actions.record("u", _reported([Kind.VIEW] * 4))
    assert uow.staged == []


# --- the model's life --------------------------------------------------------------

def test_a_retrained_model_must_beat_popularity_and_not_regress_on_enough_users() -> None:
    gate = ModelKeeper._regression
    pop = {"ndcg_at_10": 0.10}
    assert gate({"ndcg_at_10": 0.18, "users": 1500}, pop, {}) == ""
    assert "popularity" in gate({"ndcg_at_10": 0.09, "users": 1500}, pop, {})
    assert "regresses" in gate({"ndcg_at_10": 0.15, "users": 1500}, pop, {"ndcg_at_10": 0.18, "users": 1500})
    assert gate({"ndcg_at_10": 0.17, "users": 1500}, pop, {"ndcg_at_10": 0.18, "users": 1500}) == ""  # within 10%
    # Too few held-out users on either side: chance, not the model; only popularity is checked.
    assert gate({"ndcg_at_10": 0.12, "users": 150}, pop, {"ndcg_at_10": 0.30, "users": 1500}) == ""


def test_the_nightly_retrain_is_at_three_in_moscow() -> None:
    # 23:30 UTC on 30 Nov is 02:30 on 1 Dec in Moscow (UTC+3): the next run is in half an hour.
    assert next_nightly(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    # 00:00 UTC on 1 Dec is exactly 03:00 in Moscow: the next one is a day later.
    assert next_nightly(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
