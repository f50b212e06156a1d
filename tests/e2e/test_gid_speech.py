"""Speak (the spec's internal/tts/speak): service-to-service only; the same words are
synthesised once (one job on the stream, however often and however concurrently they
are asked for), stored in S3 as Opus in Ogg and MP3 that ffprobe recognises."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import grpc
import pytest
import redis as redis_sync
from auth_support import assert_refused_by_gateway
from gid_support import probe

from kgo import provision, topology
from kulturago.gid.v1 import gid_service_pb2 as pb
from kulturago.gid.v1 import gid_service_pb2_grpc as pb_grpc
from services.runtime.object_storage import ObjectStorage, S3Settings
from services.runtime.rpc.access import CLIENT_IP_HEADER

GID = f"127.0.0.1:{topology.service('gid').grpc_port}"


def _text() -> str:
    return f"Добро пожаловать на экскурсию номер {random.randint(10_000, 9_999_999)}. Начнём с площади."


def _jobs_for(redis_client: redis_sync.Redis, content_hash: str) -> int:
    """Jobs ever queued on the stream for this hash (the stream keeps the last 100,000)."""
    entries: Any = redis_client.xrange("tts_jobs")
    return sum(1 for _, fields in entries if fields[b"hash"].decode() == content_hash)


async def _speak(stub: pb_grpc.SpeechServiceStub, text: str, **kw: str) -> pb.SpeakResponse:
    return await stub.Speak(pb.SpeakRequest(text=text, language="ru", **kw), timeout=30)


async def test_the_same_words_are_synthesised_once(redis_client: redis_sync.Redis, tmp_path: Path) -> None:
    text = _text()
    async with grpc.aio.insecure_channel(GID) as channel:
        stub = pb_grpc.SpeechServiceStub(channel)
        first = await _speak(stub, text)
        again = await _speak(stub, "  " + text.replace(" ", "  "))  # the same words, spaced out
        female = await _speak(stub, text, voice="female")
    assert not first.cached and again.cached and again.content_hash == first.content_hash
    assert female.content_hash != first.content_hash
    assert _jobs_for(redis_client, first.content_hash) == 1
    assert first.duration.seconds >= 2 and "espeak-ng" in first.engine.lower().replace("espeak ng", "espeak-ng")
    access, secret = provision.s3_credentials()
    storage = ObjectStorage(S3Settings(endpoint=f"http://127.0.0.1:{topology.S3_PORT}", access_key=access,
                                       secret_key=secret, bucket=topology.S3_BUCKET))
    found = {}
    for audio in first.audio:
        data = await storage.read(audio.object_key, 10_000_000)
        assert len(data) == audio.size_bytes and audio.object_key.startswith(f"tts/{first.content_hash}.")
        path = tmp_path / audio.object_key.rsplit("/", 1)[-1]
        path.write_bytes(data)
        found[audio.format] = probe(path)
    assert found[pb.AUDIO_FORMAT_OGG_OPUS]["codec"] == "opus" and found[pb.AUDIO_FORMAT_MP3]["codec"] == "mp3"
    spoken = first.duration.seconds + first.duration.nanos / 1e9
    assert found[pb.AUDIO_FORMAT_OGG_OPUS]["duration"] == pytest.approx(spoken, abs=0.1)


async def test_concurrent_requests_for_new_words_make_one_job(redis_client: redis_sync.Redis) -> None:
    text = _text()
    async with grpc.aio.insecure_channel(GID) as channel:
        stub = pb_grpc.SpeechServiceStub(channel)
        replies = await asyncio.gather(*(_speak(stub, text) for _ in range(8)))
    assert len({r.content_hash for r in replies}) == 1
    assert _jobs_for(redis_client, replies[0].content_hash) == 1


def test_the_gateway_refuses_speak_on_every_listener() -> None:
    with grpc.insecure_channel(f"127.0.0.1:{topology.GATEWAY_HTTP_PORT}") as channel, \
            pytest.raises(grpc.RpcError) as denied:
        pb_grpc.SpeechServiceStub(channel).Speak(pb.SpeakRequest(text="Привет.", language="ru"), timeout=10)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert_refused_by_gateway(denied.value, "INTERNAL_ONLY")


def test_the_service_refuses_a_call_the_gateway_forwarded() -> None:
    with grpc.insecure_channel(GID) as channel, pytest.raises(grpc.RpcError) as refused:
        pb_grpc.SpeechServiceStub(channel).Speak(pb.SpeakRequest(text="Привет.", language="ru"), timeout=10,
                                                 metadata=[(CLIENT_IP_HEADER, "127.0.0.1")])
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_bad_input_names_the_field() -> None:
    with grpc.insecure_channel(GID) as channel, pytest.raises(grpc.RpcError) as refused:
        pb_grpc.SpeechServiceStub(channel).Speak(pb.SpeakRequest(text="Hallo.", language="de"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "language" in (refused.value.details() or "")
