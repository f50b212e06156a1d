"""Use case: speech for a text, synthesised once per content hash.

A request looks the hash up; when the audio is not stored yet it queues a job (once,
however many ask at the same time) for the workers on the Redis stream and waits for
the worker's announcement. Announcements can be missed (a reconnecting subscriber), so
the wait also looks again every `recheck_seconds`, and queues again if the job was
lost; it gives up after `wait_seconds` (the job goes on and a later call finds it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from services.gid.domain.speech import AudioFormat, StoredSpeech, Utterance
from services.gid.service_layer.ports import AudioStore, Completions, JobQueue, SpeechCatalog
from services.runtime.errors import Unavailable


class SynthesisFailed(Unavailable):
    """The engine failed on this text every time it was tried (the job was dead-lettered)."""


@dataclass(frozen=True, slots=True)
class Spoken:
    speech: StoredSpeech
    cached: bool  # stored before this request came


@dataclass
class Speech:
    engine: str  # the engine's version, part of every content hash
    catalog: SpeechCatalog
    queue: JobQueue
    completions: Completions
    store: AudioStore
    wait_seconds: float = 30.0
    recheck_seconds: float = 1.0

    def content_hash(self, utterance: Utterance) -> str:
        return utterance.content_hash(self.engine)

    async def speak(self, utterance: Utterance) -> Spoken:
        """The stored speech of `utterance`, synthesised first when needed."""
        utterance = utterance.normalized()
        content_hash = self.content_hash(utterance)
        waiter = self.completions.expect(content_hash)
        try:
            found = await self.catalog.find(content_hash)
            if found is not None:
                return Spoken(found, cached=True)
            deadline = time.monotonic() + self.wait_seconds
            while True:
                await self.queue.submit(content_hash, utterance, self.engine)  # no-op while queued
                outcome = await waiter.wait(self.recheck_seconds)
                if outcome is not None:
                    if outcome.speech is None:
                        raise SynthesisFailed(f"speech synthesis failed: {outcome.error}", "SYNTHESIS_FAILED",
                                              {"contentHash": content_hash})
                    return Spoken(outcome.speech, cached=False)
                found = await self.catalog.find(content_hash)
                if found is not None:
                    return Spoken(found, cached=False)
                if time.monotonic() > deadline:
                    raise Unavailable(f"speech synthesis did not finish in {self.wait_seconds:.0f} s; "
                                      "call again to pick it up", "SYNTHESIS_PENDING", {"contentHash": content_hash})
        finally:
            waiter.close()

    async def prefetch(self, utterances: list[Utterance]) -> None:
        """Queue the synthesis of what is not stored yet, in order, without waiting."""
        for utterance in utterances:
            utterance = utterance.normalized()
            content_hash = self.content_hash(utterance)
            if await self.catalog.find(content_hash) is None:
                await self.queue.submit(content_hash, utterance, self.engine)

    async def audio(self, speech: StoredSpeech, fmt: AudioFormat) -> bytes:
        return await self.store.read(speech.hash, fmt)
