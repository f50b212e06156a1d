"""Speech synthesis through Redis: jobs on a stream, announcements on pub/sub.

- `RedisJobQueue.submit`: SET `tts:queued:<hash>` NX and XADD the job to `tts_jobs`, in
  one script, so that a text asked for by many at once is queued once.
- `TtsWorker` (several per replica, supervised): a consumer of the group `tts`. It reads
  new jobs (XREADGROUP) and, every half `min_idle`, takes over jobs whose consumer has
  been silent for `min_idle` (XAUTOCLAIM): a worker that died mid-job. While it works on
  a job it claims it again every third of `min_idle` (XCLAIM JUSTID), so a long job is
  never taken from a live worker. A job is acknowledged (XACK) only once its audio is
  stored; one delivered `max_deliveries` times without success goes to `tts_jobs.dlq`
  with the reason, and its waiters are told it failed.
- `RedisCompletions`: the worker announces each outcome on `tts:done`; waiters in every
  replica are woken by one subscription per replica.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from prometheus_client import Counter, Histogram

from services.gid.adapters.audio_store import RedisSpeechCatalog, S3AudioStore
from services.gid.adapters.speech_engine import SynthesisError
from services.gid.domain.speech import StoredSpeech, Utterance
from services.gid.service_layer.ports import Completion, SpeechEngine
from services.runtime.faults import NO_FAULTS, FaultPoints
from services.runtime.invalidation import redis_messages
from services.runtime.logging import get_logger
from services.runtime.supervision import worker_healthy

log = get_logger(__name__)

JOBS = Counter("tts_jobs_total", "Synthesis jobs handled by this replica's workers, by outcome", ["outcome"])
SYNTHESIS = Histogram("tts_synthesis_seconds", "Time to synthesise and encode one job",
                      buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30))
TAKEN_OVER = Counter("tts_jobs_taken_over_total", "Jobs taken over from a worker silent for min_idle (it died)")
REALTIME = Histogram("tts_realtime_factor", "Synthesis time / audio duration of a job",
                     buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2))


@dataclass(frozen=True)
class QueueNames:
    stream: str = "tts_jobs"
    group: str = "tts"
    prefix: str = "tts"  # of keys and the announcement channel

    @property
    def dead_letters(self) -> str:
        return f"{self.stream}.dlq"

    @property
    def channel(self) -> str:
        return f"{self.prefix}:done"

    def queued(self, content_hash: str) -> str:
        return f"{self.prefix}:queued:{content_hash}"


_SUBMIT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
end
return false
"""


class RedisJobQueue:
    def __init__(self, redis: aioredis.Redis, names: QueueNames, *, queued_ttl_seconds: int = 300,
                 max_length: int = 100_000) -> None:
        self._names = names
        self._ttl = queued_ttl_seconds
        self._max_length = max_length
        self._submit = redis.register_script(_SUBMIT)

    async def submit(self, content_hash: str, utterance: Utterance, engine: str) -> bool:
        fields = ["hash", content_hash, "text", utterance.text, "language", utterance.language,
                  "voice", utterance.voice, "engine", engine, "queued_ms", str(int(time.time() * 1000))]
        added = await self._submit(keys=[self._names.queued(content_hash), self._names.stream],
                                   args=[self._ttl, self._max_length, *fields])
        return added is not None


class _Waiter:
    def __init__(self, owner: RedisCompletions, content_hash: str) -> None:
        self._owner, self.content_hash = owner, content_hash
        self.future: asyncio.Future[Completion] = asyncio.get_running_loop().create_future()

    async def wait(self, seconds: float) -> Completion | None:
        try:
            return await asyncio.wait_for(asyncio.shield(self.future), seconds)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._owner.forget(self)


class RedisCompletions:
    def __init__(self, redis: aioredis.Redis, names: QueueNames) -> None:
        self._redis = redis  # a client without a read timeout: the subscription waits
        self._names = names
        self._waiting: dict[str, list[_Waiter]] = defaultdict(list)

    def expect(self, content_hash: str) -> _Waiter:
        waiter = _Waiter(self, content_hash)
        self._waiting[content_hash].append(waiter)
        return waiter

    def forget(self, waiter: _Waiter) -> None:
        waiters = self._waiting.get(waiter.content_hash)
        if waiters and waiter in waiters:
            waiters.remove(waiter)
            if not waiters:
                del self._waiting[waiter.content_hash]

    async def announce(self, completion: Completion) -> None:
        body = {"hash": completion.content_hash, "error": completion.error,
                "speech": completion.speech.to_json() if completion.speech else None}
        await self._redis.publish(self._names.channel, json.dumps(body))
        self.deliver(completion)  # this replica's waiters at once

    def deliver(self, completion: Completion) -> None:
        for waiter in self._waiting.get(completion.content_hash, []):
            if not waiter.future.done():
                waiter.future.set_result(completion)

    async def follow(self) -> None:
        """Worker: wake the waiters of this replica on every announcement."""
        async with redis_messages(self._redis, self._names.channel)() as messages:
            worker_healthy()
            async for message in messages:
                try:
                    body = json.loads(message["data"])
                    speech = StoredSpeech.from_json(body["speech"]) if body.get("speech") else None
                    self.deliver(Completion(body["hash"], speech, body.get("error", "")))
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("unreadable synthesis announcement", error=str(exc))


@dataclass(frozen=True)
class WorkerTimings:
    min_idle_ms: int = 5000  # a job silent this long is taken over (its worker died)
    block_ms: int = 1000  # one XREADGROUP waits at most this long
    max_deliveries: int = 3  # then the job is dead-lettered


class TtsWorker:
    def __init__(self, redis: aioredis.Redis, names: QueueNames, engine: SpeechEngine, store: S3AudioStore,
                 catalog: RedisSpeechCatalog, completions: RedisCompletions, *, index: int = 0,
                 timings: WorkerTimings = WorkerTimings(), faults: FaultPoints = NO_FAULTS,
                 fault_point: str = "tts-worker") -> None:
        self._redis = redis  # a client whose read timeout outlasts block_ms
        self._names = names
        self._engine = engine
        self._store = store
        self._catalog = catalog
        self._completions = completions
        self._index = index
        self._timings = timings
        self._faults = faults
        self._fault_point = fault_point
        self.consumer = ""

    async def run(self) -> None:
        # A new name per start: a restarted worker is another consumer, and the jobs its
        # previous life held are taken over like any dead worker's.
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{self._index}-{secrets.token_hex(3)}"
        await self._ensure_group()
        worker_healthy()
        next_claim = 0.0
        while True:
            job = None
            if time.monotonic() >= next_claim:
                job = await self._claim_stale()
                if job is None:
                    next_claim = time.monotonic() + self._timings.min_idle_ms / 2000
            if job is None:
                job = await self._read_new()
            if job is not None:
                await self._handle(*job)

    async def _ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._names.stream, self._names.group, id="0", mkstream=True)
        except aioredis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _read_new(self) -> tuple[str, dict[bytes, bytes]] | None:
        reply: Any = await self._redis.xreadgroup(self._names.group, self.consumer, {self._names.stream: ">"},
                                             count=1, block=self._timings.block_ms)
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                return entry_id.decode(), fields
        return None

    async def _claim_stale(self) -> tuple[str, dict[bytes, bytes]] | None:
        claimed: Any = await self._redis.xautoclaim(
            self._names.stream, self._names.group, self.consumer, self._timings.min_idle_ms, start_id="0-0", count=1)
        _next, entries, deleted = claimed
        for entry_id in deleted or []:  # trimmed from the stream while pending: nothing to do
            await self._redis.xack(self._names.stream, self._names.group, entry_id)
        for entry_id, fields in entries:
            if fields:
                TAKEN_OVER.inc()
                log.info("synthesis job taken over from a silent worker", job=entry_id.decode(), consumer=self.consumer)
                return entry_id.decode(), fields
        return None

    async def _deliveries(self, entry_id: str) -> int:
        pending = await self._redis.xpending_range(self._names.stream, self._names.group, min=entry_id,
                                                   max=entry_id, count=1)
        return int(pending[0]["times_delivered"]) if pending else 1

    async def _keep_claimed(self, entry_id: str) -> None:
        while True:
            await asyncio.sleep(self._timings.min_idle_ms / 3000)
            await self._redis.xclaim(self._names.stream, self._names.group, self.consumer, 0, [entry_id],
                                     justid=True)

    async def _handle(self, entry_id: str, fields: dict[bytes, bytes]) -> None:
        job = {k.decode(): v.decode() for k, v in fields.items()}
        content_hash = job["hash"]
        utterance = Utterance(job["text"], job["language"], job.get("voice", ""))
        deliveries = await self._deliveries(entry_id)
        if job.get("engine") != self._engine.version:
            await self._dead_letter(entry_id, job, deliveries, "queued for another engine version")
            return
        if deliveries > self._timings.max_deliveries:
            await self._dead_letter(entry_id, job, deliveries, "its workers kept dying")
            return
        found = await self._catalog.find_stored(content_hash)
        if found is None:
            keeper = asyncio.create_task(self._keep_claimed(entry_id))
            started = time.monotonic()
            try:
                audio = await self._engine.synthesize(utterance)
                # Development and tests: a worker that dies here leaves the job pending,
                # for another to take over once it has been silent for min_idle.
                self._faults.check(self._fault_point)
                found = StoredSpeech(content_hash, audio.duration_ms, {k: len(v) for k, v in audio.encoded.items()},
                                     self._engine.version)
                await self._store.put(content_hash, audio.encoded, found)
                await self._catalog.record(found)
            except SynthesisError as error:
                JOBS.labels("failed").inc()
                log.warning("synthesis failed", job=entry_id, deliveries=deliveries, error=str(error))
                if deliveries >= self._timings.max_deliveries:
                    await self._dead_letter(entry_id, job, deliveries, str(error))
                return  # else delivered again once silent for min_idle
            finally:
                keeper.cancel()
            elapsed = time.monotonic() - started
            SYNTHESIS.observe(elapsed)
            if found.duration_ms:
                REALTIME.observe(elapsed / (found.duration_ms / 1000))
            JOBS.labels("done").inc()
        else:
            JOBS.labels("cached").inc()
        await self._redis.xack(self._names.stream, self._names.group, entry_id)
        await self._redis.delete(self._names.queued(content_hash))
        await self._completions.announce(Completion(content_hash, found))
        log.debug("synthesised", job=entry_id, hash=content_hash[:12], ms=found.duration_ms, consumer=self.consumer)

    async def _dead_letter(self, entry_id: str, job: dict[str, str], deliveries: int, reason: str) -> None:
        JOBS.labels("dead_lettered").inc()
        letter: dict[Any, Any] = {
            **job, "job_id": entry_id, "reason": reason, "deliveries": str(deliveries), "consumer": self.consumer,
            "failed_ms": str(int(time.time() * 1000))}
        await self._redis.xadd(self._names.dead_letters, letter, maxlen=10_000, approximate=True)
        await self._redis.xack(self._names.stream, self._names.group, entry_id)
        await self._redis.delete(self._names.queued(job["hash"]))
        await self._completions.announce(Completion(job["hash"], None, reason))
        log.error("synthesis job dead-lettered", job=entry_id, reason=reason, deliveries=deliveries,
                  dead_letters=self._names.dead_letters)
