"""recommendation-service: offline quality, serving latency, ingestion, retrain time.

- Quality: the offline evaluation of services/recommendation/domain/offline.py on a time
  split (the last 20% of the time held out) of the demo generator's log (the one
  `kgo seed` loads): popularity, cold start, the trained ALS model and the served blend.
- Latency: GET /api/v1/recommendations through Envoy, authenticated as a user with a
  history (the personal path: Redis profile, fold-in, ONNX scoring, re-ranking), first
  at saturation, then at half that rate (wrk paced); and the ONNX inference alone.
- Ingestion: POST /api/v1/actions batches of 50 from many users until every action is
  in the interaction log (outbox -> Kafka user.action -> consumer -> PostgreSQL + Redis).
- Retrain: the nightly job's work (validate on a time split, train on everything,
  co-occurrence, ONNX export) on a generated log of 1M interactions.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import aiohttp
import httpx
import numpy as np
import psycopg

from bench import wrk
from bench.accounts import signed_in
from bench.report import Check, Section
from kgo import provision, topology
from kgo.demo_city import generate_events, sellable_events, vendor_events
from kgo.demo_city.interactions import InteractionLog, generate_log, log_end
from kgo.demo_city.models import DemoEvent
from kgo.reco_cli import DEMO_USERS
from services.recommendation.adapters import onnx_model
from services.recommendation.adapters.repository import TrainingData
from services.recommendation.adapters.training_job import train_version
from services.recommendation.domain import als, content, offline
from services.recommendation.domain.actions import Kind, RecentAction
from services.recommendation.domain.catalog import CatalogItem
from services.recommendation.domain.offline import POPULARITY_HALF_LIFE_DAYS
from services.recommendation.service_layer.recommending import Recommender, Request, State, build_state

BASE = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
SECONDS = 8
CONNECTIONS = 4
TARGET_P99_MS = 20.0
TARGET_INFERENCE_MS = 5.0
INGEST_USERS = 40
BATCHES_PER_USER = 10  # x 50 actions: 500 a user, under the 600 a minute budget
RETRAIN_INTERACTIONS = 1_000_000


def demo_catalog() -> list[DemoEvent]:
    today = date.today()
    return [*generate_events(600, start=today), *sellable_events(today), *vendor_events(today)]


def _items(catalog: list[DemoEvent]) -> list[CatalogItem]:
    return [CatalogItem(slug=e.slug, title=e.title, description=e.description, category=e.category, tags=e.tags,
                        city=e.city, place_name=e.place.name, lat=e.place.lat, lon=e.place.lon,
                        sessions=tuple((s.start, s.end) for s in e.sessions), is_free=e.is_free, kids=e.kids,
                        price_min=e.price_min, image="") for e in catalog]


def _as_log(log: InteractionLog, n_items: int) -> offline.Log:
    return offline.Log(log.users, log.items, log.kinds, log.times, len(log.user_ids), n_items)


def quality(catalog: list[DemoEvent], users: int = DEMO_USERS) -> offline.Table:
    """The offline table on the demo log."""
    log = generate_log(catalog, users=users, end=log_end(datetime.now(UTC)))
    categories = sorted({e.category for e in catalog})
    cities = sorted({e.city for e in catalog})
    ctx = offline.Context(
        category=np.array([categories.index(e.category) for e in catalog], dtype=np.int32),
        item_city=np.array([cities.index(e.city) for e in catalog], dtype=np.int32),
        embeddings=content.embed(_items(catalog)),
        user_city=np.array([cities.index(c) for c in log.user_city], dtype=np.int32))
    return offline.evaluate_all(_as_log(log, len(catalog)), ctx, als.AlsParams())


def retrain_on(catalog: list[DemoEvent], interactions: int) -> tuple[float, int, onnx_model.ServingModel]:
    """(seconds of the nightly job's work, interactions, the model loaded as served)."""
    users = int(interactions / 25)  # the generator's mean is 25 actions a user
    log = generate_log(catalog, users=users, end=log_end(datetime.now(UTC)))
    data = TrainingData(user_ids=log.user_ids, slugs=tuple(e.slug for e in catalog), users=log.users,
                        items=log.items, kinds=log.kinds, times=log.times)
    started = time.perf_counter()
    result = train_version(data, als.AlsParams(), "bench")
    seconds = time.perf_counter() - started
    return seconds, len(log), onnx_model.load("bench", result.graph, result.side)


def inference_ms(model: onnx_model.ServingModel, calls: int = 2000, k: int = 60) -> tuple[float, float, float]:
    """(p50, p99 wall, p99 CPU) ms of one request's model part: fold-in of a 30-action
    history + ONNX top-k. CPU time (this thread's) leaves out the waits for a core that
    a shared, loaded machine adds to the wall clock."""
    rng = np.random.default_rng(5)
    n = len(model.side.item_slugs)
    walls, cpus = [], []
    for _ in range(calls):
        rows = rng.choice(n, size=30, replace=False).astype(np.int64)
        bias = rng.random(n).astype(np.float32)
        wall, cpu = time.perf_counter(), time.thread_time()
        user = model.fold_in(rows, np.ones(30, dtype=np.float32))
        model.top(user, bias, k)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.thread_time() - cpu)
    return (float(np.percentile(walls, 50)) * 1000, float(np.percentile(walls, 99)) * 1000,
            float(np.percentile(cpus, 99)) * 1000)


def _batch(slugs: list[str], rng: np.random.Generator) -> dict[str, object]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return {"actions": [{"id": str(uuid.uuid4()), "kind": "ACTION_KIND_VIEW", "eventSlug": str(s),
                         "clientTime": now} for s in rng.choice(slugs, size=50)]}


def _logged(action_ids: list[str]) -> int:
    url = topology.database_url("recommendation", provision.postgres_password())
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM interactions WHERE action_id = ANY(%s)", (action_ids,)).fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Ingestion:
    actions: int
    post_seconds: float
    seen_seconds: float

    @property
    def per_second(self) -> float:
        return self.actions / self.seen_seconds if self.seen_seconds else 0.0


async def _post_all(batches: list[tuple[dict[str, str], dict[str, object]]]) -> None:
    async with aiohttp.ClientSession(base_url=BASE, connector=aiohttp.TCPConnector(limit=8)) as session:
        async def post(headers: dict[str, str], body: dict[str, object]) -> None:
            async with session.post("/api/v1/actions", json=body, headers=headers) as reply:
                reply.raise_for_status()

        await asyncio.gather(*(post(h, b) for h, b in batches))


def ingestion(accounts: list[dict[str, str]], slugs: list[str], timeout: float = 300.0) -> Ingestion:
    rng = np.random.default_rng(9)
    batches = [(h, _batch(slugs, rng)) for h in accounts for _ in range(BATCHES_PER_USER)]
    ids = [str(a["id"]) for _, b in batches for a in b["actions"]]  # type: ignore[attr-defined]
    started = time.perf_counter()
    asyncio.run(_post_all(batches))
    posted = time.perf_counter() - started
    deadline = started + timeout
    while _logged(ids) < len(ids) and time.perf_counter() < deadline:
        time.sleep(0.1)
    seen = time.perf_counter() - started
    logged = _logged(ids)
    return Ingestion(actions=logged, post_seconds=posted, seen_seconds=seen)


def _table_notes(table: offline.Table) -> list[str]:
    return ["Offline quality (demo log, time split: last 20% held out; mean over held-out users):", "",
            *table.markdown().splitlines(), ""]


def run() -> Section:
    catalog = demo_catalog()
    table = quality(catalog)
    popularity, blend = table.rows["popularity"], table.rows["blend (served)"]
    retrain_s, interactions, model = retrain_on(catalog, RETRAIN_INTERACTIONS)
    p50_inf, p99_inf, p99_inf_cpu = inference_ms(model)
    p50_rank, p99_rank, p99_rank_cpu, rank_strategy = ranking_ms()

    with httpx.Client(base_url=BASE, timeout=30) as http:
        accounts = signed_in(http, INGEST_USERS, login_prefix="reader", full_name="Читатель")
        events = http.get("/api/v1/events", params={"pageSize": 100, "city": "moscow"}).json()["events"]
        slugs = [e["slug"] for e in events]
        ingest = ingestion(accounts, slugs)
        reader = accounts[0]  # 500 views: a personal list
        strategy = http.get("/api/v1/recommendations", headers=reader).json()["strategy"]
    paths = ["/api/v1/recommendations?limit=20", "/api/v1/recommendations?limit=20&when=weekend",
             "/api/v1/recommendations?limit=10&city=moscow&kids=true"]
    full = wrk.run("GET /api/v1/recommendations (personal), saturation", BASE, paths, headers=reader,
                   connections=CONNECTIONS, seconds=SECONDS)
    # Half load: each connection waits so that all together ask at half the saturated rate.
    per_connection = full.rps / 2 / CONNECTIONS
    pace = max(1, int(1000 / per_connection - full.p50_ms))
    half = wrk.run(f"GET /api/v1/recommendations (personal), half load (~{full.rps / 2:.0f} rps)", BASE, paths,
                   headers=reader, connections=CONNECTIONS, seconds=SECONDS, pace_ms=pace)
    anonymous = wrk.run("GET /api/v1/recommendations?city=spb (anonymous, cold start), half load", BASE,
                        ["/api/v1/recommendations?limit=20&city=spb"], connections=CONNECTIONS, seconds=SECONDS,
                        pace_ms=pace)
    # The floor under the same load on this machine: Envoy and a bare grpc.aio servicer.
    echo = wrk.run("GET /bench/echo (bare grpc.aio), half-load pacing, for reference", BASE,
                   ["/bench/echo?message=hi"], connections=CONNECTIONS, seconds=SECONDS, pace_ms=pace)
    margin = blend.ndcg_at_10 / popularity.ndcg_at_10 - 1 if popularity.ndcg_at_10 else 0.0
    notes = [*_table_notes(table),
             f"Trained blend vs popularity on NDCG@10: {blend.ndcg_at_10:.4f} vs {popularity.ndcg_at_10:.4f} "
             f"(+{margin:.0%}); ALS trained in {table.train_seconds:.2f} s on {table.interactions:,} interactions.",
             f"Retrain on {interactions:,} generated interactions ({interactions // 25:,} users, {len(catalog)} "
             f"events): {retrain_s:.1f} s in-process (time-split validation + full ALS + co-occurrence + ONNX "
             f"export; the service runs the same function in its worker process, plus reading the log by COPY).",
             f"Model inference alone (fold-in of 30 actions + onnxruntime MatMul/Add/TopK over {len(catalog)} "
             f"events, k=60): p50 {p50_inf:.2f} ms, p99 {p99_inf:.2f} ms wall, p99 {p99_inf_cpu:.2f} ms CPU.",
             f"The whole ranking in-process (Recommender.recommend on the live catalog and serving model, a reader "
             f"with 30 recent actions, strategy '{rank_strategy}', no I/O): p50 {p50_rank:.2f} ms, p99 "
             f"{p99_rank:.2f} ms wall, p99 {p99_rank_cpu:.2f} ms CPU.",
             f"Ingestion: {ingest.actions:,} views in batches of 50 from {INGEST_USERS} users; accepted in "
             f"{ingest.post_seconds:.1f} s, all in the interaction log after {ingest.seen_seconds:.1f} s: "
             f"{ingest.per_second:.0f} actions/s end to end.",
             f"Latency: wrk, {CONNECTIONS} connections, {SECONDS} s per run, authenticated reader with "
             f"strategy '{strategy}'; half load paces each connection {pace} ms between requests."]
    return Section(
        title="recommendation-service (quality, Envoy -> recommendation latency, ingestion, retrain)",
        results=[full, half, anonymous, echo],
        checks=[
            Check("blend NDCG@10 over popularity's (x)", blend.ndcg_at_10 / max(popularity.ndcg_at_10, 1e-9),
                  "> 1.2", blend.ndcg_at_10 > 1.2 * popularity.ndcg_at_10),
            Check("recommendations p99 at half load, ms", half.p99_ms, f"< {TARGET_P99_MS:.0f} ms",
                  half.p99_ms < TARGET_P99_MS),
            Check("model inference p99 (CPU time), ms", p99_inf_cpu, f"< {TARGET_INFERENCE_MS:.0f} ms",
                  p99_inf_cpu < TARGET_INFERENCE_MS),
            Check("actions ingested per second", ingest.per_second, "all seen", ingest.actions == len(accounts)
                  * BATCHES_PER_USER * 50),
            Check(f"retrain on {interactions:,} interactions, s", retrain_s, "< 300 s", retrain_s < 300),
        ],
        notes=notes,
    )


class _Profile:
    """A reader's short-term profile as Redis would return it (no I/O: the ranking alone)."""

    def __init__(self, recent: list[RecentAction]) -> None:
        self._recent = recent

    async def recall(self, user_id: str) -> tuple[list[RecentAction], set[str]]:
        return self._recent, set()


async def _no_stated(user_id: str) -> tuple[str, tuple[str, ...]]:
    return "Москва", ()


async def _live_state() -> State:
    """The catalog snapshot and serving model as the running service builds them."""
    from psycopg_pool import AsyncConnectionPool

    from services.recommendation.adapters.model_store import ModelStore
    from services.recommendation.adapters.repository import CatalogReader
    from services.runtime.object_storage import ObjectStorage, S3Settings

    url = topology.database_url("recommendation", provision.postgres_password())
    access, secret = provision.s3_credentials()
    storage = ObjectStorage(S3Settings(endpoint=f"http://127.0.0.1:{topology.S3_PORT}", access_key=access,
                                       secret_key=secret, bucket=topology.S3_BUCKET))
    async with AsyncConnectionPool(url, min_size=1, max_size=2, open=False) as pool:
        reader, store = CatalogReader(pool), ModelStore(pool, storage)
        now = datetime.now(UTC)
        items = await reader.active(now)
        popularity = await reader.popularity(now, POPULARITY_HALF_LIFE_DAYS)
        record = await store.serving()
        model = None
        if record is not None:
            graph, side = await store.fetch(record.version)
            model = onnx_model.load(record.version, graph, side)
    return build_state(items, popularity, now, model)


def ranking_ms(calls: int = 500) -> tuple[float, float, float, str]:
    """(p50, p99 wall, p99 CPU) ms of Recommender.recommend in-process for a reader with
    30 recent actions (fold-in, ONNX, signals, diversity, reasons), and the strategy."""
    state = asyncio.run(_live_state())
    rng = np.random.default_rng(3)
    now = datetime.now(UTC)
    slugs = [i.slug for i in state.snapshot.items if i.city == "moscow"]
    recent = [RecentAction(Kind.VIEW, str(s), now - timedelta(hours=n)) for n, s in
              enumerate(rng.choice(slugs, size=30, replace=False))]
    recommender = Recommender(profiles=_Profile(recent), stated=_no_stated, clock=lambda: now, state=state)
    request = Request(limit=20)

    async def measure() -> tuple[list[float], list[float], str]:
        walls, cpus, strategy = [], [], ""
        for _ in range(calls):
            wall, cpu = time.perf_counter(), time.thread_time()
            strategy = (await recommender.recommend(request, "bench-reader")).strategy
            walls.append(time.perf_counter() - wall)
            cpus.append(time.thread_time() - cpu)
        return walls, cpus, strategy

    walls, cpus, strategy = asyncio.run(measure())
    return (float(np.percentile(walls, 50)) * 1000, float(np.percentile(walls, 99)) * 1000,
            float(np.percentile(cpus, 99)) * 1000, strategy)
