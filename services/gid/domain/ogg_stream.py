"""One continuous Ogg Opus stream out of separately encoded pieces.

Every sentence is encoded on its own (so the first can play while the next is still
being synthesised), each as a complete Ogg Opus file. A listener gets them as ONE
logical stream that any Ogg player plays from its first byte to its last: the first
piece's header pages (OpusHead, OpusTags) open it, the later pieces' are dropped, and
every audio page is rewritten to the stream's serial number, page sequence and granule
position (with its CRC). Each later piece brings its encoder's pre-skip (6.5 ms of
decoder warm-up) as audible samples, which is inaudible at the silence a sentence
starts with. No page carries end-of-stream: a live tour ends when the socket does.

The rewrite depends only on the piece and where the stream stood before it
(`StreamPosition`), so resuming from an offset reproduces the same bytes. Pure.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from services.gid.domain.audio_frames import ogg_pages

STREAM_SERIAL = 0x4B474F31  # "KGO1": a stream carries one logical bitstream, any serial will do
_BOS, _EOS = 0x02, 0x04
_HEADERS = (b"OpusHead", b"OpusTags")
# Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, init 0) computed by zlib's
# reflected CRC-32 over bit-reversed bytes, bit-reversing the result: C speed.
_REVERSED = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


def ogg_crc(page: bytes) -> int:
    raw = zlib.crc32(page.translate(_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{raw:032b}"[::-1], 2)


@dataclass(frozen=True, slots=True)
class StreamPosition:
    """Where a listener's Ogg stream stands between pieces."""

    sequence: int = 0  # the next page's sequence number
    granule: int = 0  # 48 kHz samples before the next piece (the first piece's pre-skip included)

    @property
    def started(self) -> bool:
        return self.sequence > 0


def _page(data: bytes, begin: int, end: int, *, flags: int, granule: int, sequence: int) -> bytes:
    page = bytearray(data[begin:end])
    page[5] = flags
    struct.pack_into("<qII", page, 6, granule, STREAM_SERIAL, sequence)
    page[22:26] = b"\0\0\0\0"
    struct.pack_into("<I", page, 22, ogg_crc(bytes(page)))
    return bytes(page)


def restream_pages(piece: bytes, at: StreamPosition) -> list[tuple[bytes, StreamPosition]]:
    """`piece` (a complete Ogg Opus file) as the continuation of a stream standing at
    `at`: its pages for the listener, each with where the stream stands after it."""
    out: list[tuple[bytes, StreamPosition]] = []
    sequence, granule_after = at.sequence, at.granule
    begin = 0
    for end in ogg_pages(piece):
        header_len = 27 + piece[begin + 26]
        header_page = piece[begin + header_len:begin + header_len + 8] in _HEADERS
        granule = struct.unpack_from("<q", piece, begin + 6)[0]
        if header_page and at.started:
            begin = end
            continue
        flags = piece[begin + 5] & ~_EOS
        if sequence > 0:
            flags &= ~_BOS  # only the stream's very first page begins it
        if not header_page and granule != -1:  # -1: no packet ends on this page
            granule += at.granule
            granule_after = granule
        page = _page(piece, begin, end, flags=flags, granule=granule, sequence=sequence)
        sequence += 1
        out.append((page, StreamPosition(sequence, granule_after)))
        begin = end
    return out


def restream(piece: bytes, at: StreamPosition) -> tuple[bytes, StreamPosition]:
    """`restream_pages` joined: the piece's bytes and where the stream stands after them."""
    pages = restream_pages(piece, at)
    return b"".join(p for p, _ in pages), (pages[-1][1] if pages else at)
