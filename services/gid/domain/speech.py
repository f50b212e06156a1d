"""What is synthesised and how it is named: an utterance (text, language, voice) is
stored once per engine version under its content hash. Pure."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Final

from services.gid.domain import sentences

LANGUAGES: Final = ("ru", "en")
VOICES: Final = ("", "male", "female")


@dataclass(frozen=True, slots=True)
class AudioFormat:
    name: str  # "ogg" | "mp3"
    extension: str
    content_type: str


OGG_OPUS: Final = AudioFormat("ogg", "ogg", "audio/ogg")
MP3: Final = AudioFormat("mp3", "mp3", "audio/mpeg")
FORMATS: Final = {f.name: f for f in (OGG_OPUS, MP3)}


@dataclass(frozen=True, slots=True)
class Utterance:
    text: str
    language: str
    voice: str = ""

    def normalized(self) -> Utterance:
        return Utterance(" ".join(self.text.split()), self.language, self.voice)

    def content_hash(self, engine: str) -> str:
        """sha256 of (engine version, language, voice, text with whitespace collapsed):
        the same words said the same way are synthesised once."""
        u = self.normalized()
        key = json.dumps([engine, u.language, u.voice, u.text], ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredSpeech:
    """Synthesised audio as stored: one object per format."""

    hash: str
    duration_ms: int
    sizes: dict[str, int]  # format name -> bytes
    engine: str

    def to_json(self) -> str:
        return json.dumps({"hash": self.hash, "durationMs": self.duration_ms, "sizes": self.sizes,
                           "engine": self.engine}, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> StoredSpeech:
        data = json.loads(raw)
        return cls(str(data["hash"]), int(data["durationMs"]), {str(k): int(v) for k, v in data["sizes"].items()},
                   str(data["engine"]))


def object_key(content_hash: str, fmt: AudioFormat) -> str:
    return f"tts/{content_hash}.{fmt.extension}"


def meta_key(content_hash: str) -> str:
    """Written last, after the audio: its presence means the audio is complete."""
    return f"tts/{content_hash}.json"


def narration_pieces(text: str, language: str, voice: str = "") -> list[Utterance]:
    """A narration as the utterances it is streamed in (its sentences, in order)."""
    return [Utterance(piece, language, voice) for piece in sentences.split(text)]
