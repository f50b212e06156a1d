"""The speech engine of today: espeak-ng (Debian package; its voices ship with it, nothing
is downloaded at run time), its WAV encoded by one ffmpeg into both formats: Opus in Ogg
(libopus, 24 kHz mono, 32 kbit/s, pages of 200 ms) and MP3 (libmp3lame, 22.05 kHz mono,
48 kbit/s, without ID3 and Xing frames so that pieces can be concatenated).

Starting ffmpeg costs more than encoding a sentence (it loads ~150 shared libraries:
0.1 s on a quiet machine, close to a second on a busy one), and that start would be on
the path to a listener's first byte. So the processes are started ahead of need: one of
each kind (ffmpeg; espeak-ng per voice) waits on its standard input, and a job takes it
and starts its successor. They run under `subprocess` in worker threads, not as the
event loop's child processes: under load, uvloop's pipes of one child were seen closed
before its input was written.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass
class _Started:
    """A process waiting on its standard input, with the folder it writes into."""

    name: str
    process: subprocess.Popen[bytes]
    folder: Path

    def finish(self, stdin: bytes, timeout: float) -> bytes:
        """Feed it, wait for it, return its standard output; SynthesisError on failure."""
        try:
            out, err = self.process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise SynthesisError(f"{self.name} took longer than {timeout:.0f} s") from None
        if self.process.returncode != 0:
            raise SynthesisError(f"{self.name} exited {self.process.returncode}: "
                                 f"{err.decode(errors='replace')[:300]}")
        return out

    def discard(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            self.process.communicate(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


class _Ready:
    """Processes of one kind started ahead (`spares` of them), replaced as they are taken."""

    def __init__(self, command: Callable[[Path], list[str]], spares: int) -> None:
        self._command = command
        self._spares = spares
        self._lock = threading.Lock()
        self._ready: list[_Started] = []

    def _start(self) -> _Started:
        folder = Path(tempfile.mkdtemp(prefix="gid-tts-"))
        command = self._command(folder)
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return _Started(Path(command[0]).name, process, folder)

    def take(self) -> _Started:
        """A started process (blocking: call in a thread); a successor is started now."""
        with self._lock:
            taken = self._ready.pop(0) if self._ready else None
        if taken is None or taken.process.poll() is not None:  # none yet, or it died waiting
            if taken is not None:
                taken.discard()
            taken = self._start()
        successor = self._start()
        with self._lock:
            self._ready.append(successor)
            extra, self._ready = self._ready[self._spares:], self._ready[:self._spares]
        for process in extra:
            process.discard()
        return taken

    def close(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, []
        for process in ready:
            process.discard()


class EspeakEngine:
    def __init__(self, *, espeak: str = "espeak-ng", ffmpeg: str = "ffmpeg", timeout_seconds: float = 60.0,
                 spares: int = 2) -> None:
        """`spares`: processes of each kind kept started (one per synthesis worker)."""
        self._espeak, self._ffmpeg, self._timeout = espeak, ffmpeg, timeout_seconds
        espeak_version = _tool_version([espeak, "--version"]).split(" Data at")[0]
        ffmpeg_version = _tool_version([ffmpeg, "-version"]).split(" Copyright")[0]
        # Everything that changes the audio is in the version, which is in every content hash.
        self._version = (f"{espeak_version} -s {WORDS_PER_MINUTE} | {ffmpeg_version} "
                         f"opus {' '.join(_OPUS)} | mp3 {' '.join(_MP3)}")
        self._spares = spares
        self._encoder = _Ready(self._encoder_command, spares)
        self._speakers = {voice: _Ready(self._speaker_command(voice), spares) for voice in set(_VOICES.values())}

    @property
    def version(self) -> str:
        return self._version

    def _encoder_command(self, folder: Path) -> list[str]:
        return [self._ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "wav", "-i", "pipe:0",
                *_OPUS, "-f", "ogg", str(folder / "speech.ogg"), *_MP3, "-f", "mp3", str(folder / "speech.mp3")]

    def _speaker_command(self, voice: str) -> Callable[[Path], list[str]]:
        return lambda _: [self._espeak, "-v", voice, "-s", str(WORDS_PER_MINUTE), "--stdout", "--stdin"]

    async def synthesize(self, utterance: Utterance) -> SynthesizedAudio:
        voice = _VOICES.get((utterance.language, utterance.voice))
        if voice is None:
            raise SynthesisError(f"no voice for {utterance.language}/{utterance.voice or 'default'}")
        return await asyncio.to_thread(self._synthesize, voice, utterance.text)

    def _synthesize(self, voice: str, text: str) -> SynthesizedAudio:
        speaker = self._speakers[voice].take()
        encoder = self._encoder.take()
        try:
            wav = speaker.finish(text.encode(), self._timeout)
            encoder.finish(wav, self._timeout)
            encoded = {"ogg": (encoder.folder / "speech.ogg").read_bytes(),
                       "mp3": (encoder.folder / "speech.mp3").read_bytes()}
        finally:
            speaker.discard()
            encoder.discard()
        return SynthesizedAudio(encoded, opus_duration_ms(encoded["ogg"]))

    def warm_up(self) -> None:
        """Start the processes of the default voices now, not on the first jobs."""
        for ready in (self._encoder, self._speakers["ru"], self._speakers["en-gb"]):
            taken = [ready.take() for _ in range(self._spares)]
            for process in taken:
                process.discard()

    def close(self) -> None:
        for ready in (self._encoder, *self._speakers.values()):
            ready.close()
