"""Use cases of the model's life: retrain (nightly at 03:00 Moscow time, or now), validate,
activate, and keep every replica serving the active version (hot swap: the new model is
loaded and checked beside the old one, then swapped in by one assignment; requests in
flight finish on the model they started with)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol

from services.recommendation.adapters.onnx_model import ModelRejected, ServingModel
from services.recommendation.adapters.repository import TrainingData
from services.recommendation.adapters.training_job import TrainResult
from services.recommendation.domain.als import AlsParams
from services.recommendation.service_layer.recommending import Recommender, align
from services.runtime.logging import get_logger
from services.runtime.time_windows import CITY_TZ

log = get_logger(__name__)
NIGHTLY_AT = time(3, 0)
# A retrained model is refused when its NDCG@10 falls more than this share below the
# serving model's (measured when that one was trained), or below plain popularity.
TOLERANCE = 0.10
MIN_USERS_TO_COMPARE = 200


class Registry(Protocol):
    async def put(self, version: str, graph: bytes, side: bytes, metrics: dict[str, float], interactions: int,
                  train_seconds: float) -> None: ...

    async def fetch(self, version: str) -> tuple[bytes, bytes]: ...

    async def serving(self) -> Any: ...

    async def record(self, version: str) -> Any: ...

    async def activate(self, version: str) -> None: ...

    async def refuse(self, version: str, reason: str) -> None: ...

    async def register_foreign(self, version: str) -> None: ...


@dataclass(frozen=True)
class RetrainOutcome:
    version: str
    activated: bool
    reason: str
    metrics: dict[str, float]
    previous_metrics: dict[str, float]
    interactions: int
    train_seconds: float
    serving_version: str


def next_nightly(now: datetime) -> datetime:
    """The next 03:00 in Moscow after `now`."""
    local = now.astimezone(CITY_TZ)
    at = datetime.combine(local.date(), NIGHTLY_AT, tzinfo=CITY_TZ)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), NIGHTLY_AT, tzinfo=CITY_TZ)
    return at


@dataclass
class ModelKeeper:
    registry: Registry
    recommender: Recommender
    load: Callable[[str, bytes, bytes], ServingModel]
    train: Callable[[TrainingData, AlsParams, str], Awaitable[TrainResult]]
    data: Callable[[], Awaitable[TrainingData]]
    defaults: AlsParams = field(default_factory=AlsParams)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    serving: ServingModel | None = None
    _training: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loading: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def serving_version(self) -> str:
        return self.serving.version if self.serving else "none"

    def _install(self, model: ServingModel) -> None:
        self.serving = model
        state = self.recommender.state
        if state is not None:
            self.recommender.swap(align(state, model))
        log.info("model serving", version=model.version)

    async def _load(self, version: str) -> ServingModel:
        graph, side = await self.registry.fetch(version)
        return await asyncio.to_thread(self.load, version, graph, side)

    async def follow(self) -> None:
        """Serve the registry's active version (on a NOTIFY, a poll, or at start)."""
        async with self._loading:
            record = await self.registry.serving()
            if record is None or record.version == self.serving_version:
                return
            try:
                self._install(await self._load(record.version))
            except ModelRejected as exc:  # checked before activation; a broken object since?
                log.error("serving model does not load; keeping the current one", version=record.version,
                          reason=str(exc))

    async def retrain(self, factors: int = 0, iterations: int = 0) -> RetrainOutcome:
        params = AlsParams(factors=factors or self.defaults.factors,
                           iterations=iterations or self.defaults.iterations,
                           regularization=self.defaults.regularization, alpha=self.defaults.alpha)
        async with self._training:
            data = await self.data()
            version = self.clock().strftime("%Y%m%dT%H%M%S%fZ")
            result = await self.train(data, params, version)
            await self.registry.put(version, result.graph, result.side, result.metrics, result.interactions,
                                    result.train_seconds)
            previous = await self.registry.serving()
            previous_metrics = dict(previous.metrics) if previous else {}
            reason = self._regression(result.metrics, result.popularity_metrics, previous_metrics)
            activated = False
            if reason:
                await self.registry.refuse(version, reason)
            else:
                activated, reason = await self._activate_checked(version)
            log.info("model retrained", version=version, activated=activated, reason=reason,
                     interactions=result.interactions, seconds=round(result.train_seconds, 2), **result.metrics)
            return RetrainOutcome(version, activated, reason, result.metrics, previous_metrics, result.interactions,
                                  result.train_seconds, self.serving_version)

    @staticmethod
    def _regression(metrics: dict[str, float], popularity: dict[str, float], previous: dict[str, float]) -> str:
        new = metrics.get("ndcg_at_10", 0.0)
        if metrics.get("users", 0) > 0 and new <= popularity.get("ndcg_at_10", 0.0):
            return f"NDCG@10 {new:.4f} does not beat popularity's {popularity.get('ndcg_at_10', 0.0):.4f}"
        old = previous.get("ndcg_at_10")
        # Two small held-out sets differ by chance more than by model: compare only enough users.
        enough = min(metrics.get("users", 0), previous.get("users", 0)) >= MIN_USERS_TO_COMPARE
        if old is not None and enough and new < old * (1 - TOLERANCE):
            return f"NDCG@10 {new:.4f} regresses past {TOLERANCE:.0%} below the serving model's {old:.4f}"
        return ""

    async def _activate_checked(self, version: str) -> tuple[bool, str]:
        """Load and check it here first; only a model that serves is made active."""
        async with self._loading:
            try:
                model = await self._load(version)
            except ModelRejected as exc:
                await self.registry.refuse(version, str(exc))
                return False, str(exc)
            except Exception as exc:  # the objects are missing or unreadable
                await self.registry.refuse(version, f"cannot read the model: {exc}")
                return False, f"cannot read the model: {type(exc).__name__}: {exc}"
            await self.registry.activate(version)
            self._install(model)
            return True, ""

    async def activate(self, version: str) -> tuple[bool, str]:
        if await self.registry.record(version) is None:
            await self.registry.register_foreign(version)
        return await self._activate_checked(version)

    async def nightly(self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                      exclusive: Callable[[], Any] | None = None) -> None:
        """Worker: retrain at every 03:00 Moscow time (one replica at a time, by `exclusive`)."""
        while True:
            wait = (next_nightly(self.clock()) - self.clock()).total_seconds()
            await sleep(max(wait, 1.0))
            try:
                if exclusive is None:
                    await self.retrain()
                else:
                    async with exclusive() as mine:
                        if mine:
                            await self.retrain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("nightly retrain failed; the serving model stays")
