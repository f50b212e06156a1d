"""The speech engine of today: espeak-ng (Debian package; its voices ship with it, nothing
is downloaded at run time) piped into one ffmpeg that encodes both formats: Opus in Ogg
(libopus, 24 kHz mono, 32 kbit/s, pages of 200 ms) and MP3 (libmp3lame, 22.05 kHz mono,
48 kbit/s, without ID3 and Xing frames so that pieces can be concatenated)."""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
from pathlib import Path

from services.gid.domain.audio_frames import opus_duration_ms
from services.gid.domain.model import WORDS_PER_MINUTE
from services.gid.domain.speech import Utterance
from services.gid.service_layer.ports import SynthesizedAudio

# espeak-ng voices by (language, voice): its own voice files and variants.
_VOICES = {("ru", ""): "ru", ("ru", "male"): "ru+m3", ("ru", "female"): "ru+f3",
           ("en", ""): "en-gb", ("en", "male"): "en-gb+m3", ("en", "female"): "en-gb+f3"}
_OPUS = ["-ac", "1", "-ar", "24000", "-c:a", "libopus", "-b:a", "32k", "-application", "voip",
         "-page_duration", "200000"]
_MP3 = ["-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "48k", "-id3v2_version", "0", "-write_xing", "0"]


class SynthesisError(Exception):
    """The engine failed on this utterance (a tool's exit status and message)."""


def _tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise SystemExit(f"gid: {command[0]} is needed for speech synthesis (Debian: apt-get install "
                         f"espeak-ng ffmpeg): {exc}") from exc
    return out.splitlines()[0].strip() if out else "unknown"


class EspeakEngine:
    def __init__(self, *, espeak: str = "espeak-ng", ffmpeg: str = "ffmpeg", timeout_seconds: float = 60.0) -> None:
        self._espeak, self._ffmpeg, self._timeout = espeak, ffmpeg, timeout_seconds
        espeak_version = _tool_version([espeak, "--version"]).split(" Data at")[0]
        ffmpeg_version = _tool_version([ffmpeg, "-version"]).split(" Copyright")[0]
        # Everything that changes the audio is in the version, which is in every content hash.
        self._version = (f"{espeak_version} -s {WORDS_PER_MINUTE} | {ffmpeg_version} "
                         f"opus {' '.join(_OPUS)} | mp3 {' '.join(_MP3)}")

    @property
    def version(self) -> str:
        return self._version

    async def _run(self, command: list[str], stdin: bytes) -> bytes:
        """The command's standard output; SynthesisError when it fails or takes too long.

        Run by `subprocess` in a worker thread rather than by the event loop's own child
        processes: under load, uvloop's pipes of one child were seen closed before its
        input was written (the job failed, was taken over and synthesised again)."""
        name = Path(command[0]).name
        try:
            done = await asyncio.to_thread(subprocess.run, command, input=stdin, capture_output=True,
                                           timeout=self._timeout, check=False)
        except subprocess.TimeoutExpired:
            raise SynthesisError(f"{name} took longer than {self._timeout:.0f} s") from None
        if done.returncode != 0:
            raise SynthesisError(f"{name} exited {done.returncode}: {done.stderr.decode(errors='replace')[:300]}")
        return done.stdout

    async def synthesize(self, utterance: Utterance) -> SynthesizedAudio:
        voice = _VOICES.get((utterance.language, utterance.voice))
        if voice is None:
            raise SynthesisError(f"no voice for {utterance.language}/{utterance.voice or 'default'}")
        with tempfile.TemporaryDirectory(prefix="gid-tts-") as work:
            ogg, mp3 = Path(work) / "speech.ogg", Path(work) / "speech.mp3"
            # One after the other, through Python: espeak-ng takes milliseconds, and no OS
            # pipe is handed between processes that other workers spawn at the same time.
            wav = await self._run([self._espeak, "-v", voice, "-s", str(WORDS_PER_MINUTE), "--stdout", "--stdin"],
                                  utterance.text.encode())
            await self._run([self._ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "wav", "-i",
                             "pipe:0", *_OPUS, "-f", "ogg", str(ogg), *_MP3, "-f", "mp3", str(mp3)], wav)
            encoded = {"ogg": ogg.read_bytes(), "mp3": mp3.read_bytes()}
        return SynthesizedAudio(encoded, opus_duration_ms(encoded["ogg"]))
