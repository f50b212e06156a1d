"""gid-service's synthesis workers on a Redis stream, with real Redis, S3 and espeak-ng:
a worker that dies mid-job leaves the job pending, and another takes it over once it has
been silent for min_idle (XAUTOCLAIM) and finishes it; a job that keeps failing goes to
the dead-letter stream and its waiters are told. Each test has streams and keys of its own."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from kgo import provision, topology
from services.gid.adapters.audio_store import RedisSpeechCatalog, S3AudioStore
from services.gid.adapters.speech_engine import EspeakEngine, SynthesisError
from services.gid.adapters.tts_queue import (
    JOBS,
    TAKEN_OVER,
    QueueNames,
    RedisCompletions,
    RedisJobQueue,
    TtsWorker,
    WorkerTimings,
)
from services.gid.bootstrap import blocking_redis
from services.gid.domain.speech import OGG_OPUS, Utterance
from services.gid.service_layer.ports import SpeechEngine, SynthesizedAudio
from services.gid.service_layer.speech import Speech, SynthesisFailed
from services.runtime.errors import DependencyUnavailable
from services.runtime.faults import NO_FAULTS, FaultPoints
from services.runtime.object_storage import ObjectStorage, S3Settings


class FailingEngine:
    """An engine that fails on everything (a fake of our own port)."""

    version = "test-engine-that-always-fails"

    async def synthesize(self, utterance: Utterance) -> SynthesizedAudio:
        raise SynthesisError("this engine fails on purpose")


@dataclass
class Rig:
    redis: aioredis.Redis
    names: QueueNames
    store: S3AudioStore
    catalog: RedisSpeechCatalog
    completions: RedisCompletions

    def speech(self, engine: SpeechEngine) -> Speech:
        return Speech(engine.version, self.catalog, RedisJobQueue(self.redis, self.names), self.completions,
                      self.store, wait_seconds=30, recheck_seconds=0.2)

    def worker(self, engine: SpeechEngine, index: int, *, faults: FaultPoints | None = None,
               max_deliveries: int = 3) -> TtsWorker:
        return TtsWorker(self.redis, self.names, engine, self.store, self.catalog, self.completions, index=index,
                         timings=WorkerTimings(min_idle_ms=300, block_ms=100, max_deliveries=max_deliveries),
                         faults=faults or NO_FAULTS)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    tag = uuid.uuid4().hex[:10]
    names = QueueNames(stream=f"test_tts_jobs_{tag}", group="tts", prefix=f"test-tts-{tag}")
    redis = blocking_redis(provision.redis_url())
    access, secret = provision.s3_credentials()
    storage = ObjectStorage(S3Settings(endpoint=f"http://127.0.0.1:{topology.S3_PORT}", access_key=access,
                                       secret_key=secret, bucket=topology.S3_BUCKET))
    store = S3AudioStore(storage)
    completions = RedisCompletions(redis, names)
    follow = asyncio.create_task(completions.follow())
    try:
        yield Rig(redis, names, store, RedisSpeechCatalog(redis, store, prefix=names.prefix), completions)
    finally:
        follow.cancel()
        keys = [k async for k in redis.scan_iter(f"{names.prefix}:*")]
        await redis.delete(names.stream, names.dead_letters, *keys)
        await redis.aclose()


@pytest.fixture
def engine() -> Iterator[EspeakEngine]:
    engine = EspeakEngine(spares=1)
    yield engine
    engine.close()


async def test_a_job_whose_worker_died_is_taken_over_and_finished(rig: Rig, tmp_path: Path,
                                                                 engine: EspeakEngine) -> None:
    (tmp_path / "tts-worker").touch()  # the fault point: this worker dies after synthesising
    dying = rig.worker(engine, 0, faults=FaultPoints(tmp_path))
    dying_task = asyncio.create_task(dying.run())
    text = f"Эту фразу синтезирует второй рабочий, номер {random.randint(1, 10**9)}."
    taken_over = TAKEN_OVER._value.get()
    spoken = asyncio.create_task(rig.speech(engine).speak(Utterance(text, "ru")))

    with pytest.raises(DependencyUnavailable):
        await asyncio.wait_for(dying_task, 30)  # died mid-job
    pending: Any = await rig.redis.xpending_range(rig.names.stream, rig.names.group, min="-", max="+", count=10)
    assert [(p["consumer"].decode(), p["times_delivered"]) for p in pending] == [(dying.consumer, 1)]
    assert not spoken.done()  # still waiting for its job

    other = rig.worker(engine, 1)
    other_task = asyncio.create_task(other.run())
    try:
        result = await asyncio.wait_for(spoken, 30)
    finally:
        other_task.cancel()
    assert result.cached is False and result.speech.duration_ms > 1000
    assert TAKEN_OVER._value.get() == taken_over + 1
    assert await rig.redis.xpending(rig.names.stream, rig.names.group) == {
        "pending": 0, "min": None, "max": None, "consumers": []}
    audio = await rig.store.read(result.speech.hash, OGG_OPUS)
    assert audio[:4] == b"OggS" and len(audio) == result.speech.sizes["ogg"]
    assert await rig.catalog.find(result.speech.hash) == result.speech


async def test_a_job_that_keeps_failing_is_dead_lettered_and_its_waiters_told(rig: Rig) -> None:
    engine = FailingEngine()
    worker_task = asyncio.create_task(rig.worker(engine, 0, max_deliveries=2).run())
    utterance = Utterance(f"Не получится {uuid.uuid4().hex[:6]}.", "ru")
    try:
        with pytest.raises(SynthesisFailed) as failed:
            await asyncio.wait_for(rig.speech(engine).speak(utterance), 30)
    finally:
        worker_task.cancel()
    assert failed.value.reason == "SYNTHESIS_FAILED"
    letters: Any = await rig.redis.xrange(rig.names.dead_letters)
    assert len(letters) == 1
    fields = {k.decode(): v.decode() for k, v in letters[0][1].items()}
    assert fields["text"] == utterance.text and fields["deliveries"] == "2"
    assert fields["reason"] == "this engine fails on purpose"
    assert (await rig.redis.xpending(rig.names.stream, rig.names.group))["pending"] == 0
    content_hash = utterance.content_hash(engine.version)
    assert not await rig.redis.exists(rig.names.queued(content_hash))  # asking again tries again


async def test_one_job_for_many_waiters_and_none_for_stored_speech(rig: Rig, engine: EspeakEngine) -> None:
    worker_task = asyncio.create_task(rig.worker(engine, 0).run())
    speech = rig.speech(engine)
    utterance = Utterance(f"Все ждут одну и ту же фразу {random.randint(1, 10**9)}.", "ru")
    try:
        results = await asyncio.wait_for(asyncio.gather(*(speech.speak(utterance) for _ in range(5))), 30)
        again = await speech.speak(utterance)
    finally:
        worker_task.cancel()
    assert len({r.speech.hash for r in results}) == 1 and again.cached
    jobs: Any = await rig.redis.xrange(rig.names.stream)
    assert len(jobs) == 1


async def test_speech_stored_in_s3_is_not_synthesised_again_when_redis_forgot_it(rig: Rig,
                                                                                 engine: EspeakEngine) -> None:
    worker = rig.worker(engine, 0)
    worker_task = asyncio.create_task(worker.run())
    utterance = Utterance(f"Эту фразу помнит только S3, номер {random.randint(1, 10**9)}.", "ru")
    try:
        first = await asyncio.wait_for(rig.speech(engine).speak(utterance), 30)
        await rig.redis.delete(f"{rig.names.prefix}:audio:{first.speech.hash}")  # Redis emptied
        synthesised = JOBS.labels("done")._value.get()
        forgetful = RedisSpeechCatalog(rig.redis, rig.store, prefix=rig.names.prefix)
        fresh = TtsWorker(rig.redis, rig.names, engine, rig.store, forgetful, rig.completions, index=1,
                          timings=WorkerTimings(min_idle_ms=300, block_ms=100))
        worker_task.cancel()
        worker_task = asyncio.create_task(fresh.run())
        speech = Speech(engine.version, forgetful, RedisJobQueue(rig.redis, rig.names), rig.completions, rig.store)
        again = await asyncio.wait_for(speech.speak(utterance), 30)
    finally:
        worker_task.cancel()
    assert again.speech == first.speech
    assert JOBS.labels("done")._value.get() == synthesised  # found in S3, not synthesised again
    assert await rig.redis.exists(f"{rig.names.prefix}:audio:{first.speech.hash}")  # and indexed again
