"""Where an encoded audio file can be cut so that every piece holds whole frames: Ogg
pages (RFC 3533) for Opus, frames for MP3. The live stream sends whole frames per
WebSocket message, and the duration of Ogg Opus audio is read from its last page. Pure."""

from __future__ import annotations

from collections.abc import Iterator

_OGG_CAPTURE = b"OggS"
_OGG_HEADER = 27  # bytes before the segment table
_OPUS_RATE = 48_000  # granule positions of Opus count 48 kHz samples (RFC 7845)

# MPEG audio: bitrates (kbit/s) by version and index, Layer III only (what we encode).
_MP3_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}


def ogg_pages(data: bytes) -> list[int]:
    """End offsets of the Ogg pages of `data`, in order; ValueError when it is not Ogg."""
    ends: list[int] = []
    at = 0
    while at < len(data):
        if data[at:at + 4] != _OGG_CAPTURE or at + _OGG_HEADER > len(data):
            raise ValueError(f"no Ogg page at byte {at}")
        segments = data[at + 26]
        table_end = at + _OGG_HEADER + segments
        if table_end > len(data):
            raise ValueError(f"truncated Ogg page at byte {at}")
        at = table_end + sum(data[at + _OGG_HEADER:table_end])
        if at > len(data):
            raise ValueError("truncated Ogg page at the end")
        ends.append(at)
    return ends


def _mp3_frame_length(header: bytes) -> int | None:
    """Length of the MPEG Layer III frame starting with `header` (4 bytes), None if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = {0b11: 1, 0b10: 2, 0b00: 25}.get((header[1] >> 3) & 0b11)
    layer = (header[1] >> 1) & 0b11
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 0b11
    if version is None or layer != 0b01 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _MP3_BITRATES[1 if version == 1 else 2][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    return (144 if version == 1 else 72) * bitrate // rate + padding


def _id3_length(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:  # four 7-bit bytes ("synchsafe")
        size = size << 7 | (byte & 0x7F)
    return 10 + size


def mp3_frames(data: bytes) -> list[int]:
    """End offsets of the MP3 frames of `data` (an ID3v2 tag ends the first piece);
    ValueError when something other than frames follows."""
    ends: list[int] = []
    at = _id3_length(data)
    if at:
        ends.append(at)
    while at < len(data):
        length = _mp3_frame_length(data[at:at + 4])
        if length is None:
            raise ValueError(f"no MP3 frame at byte {at}")
        at = min(len(data), at + length)
        ends.append(at)
    return ends


def frame_ends(data: bytes, fmt: str) -> list[int]:
    return ogg_pages(data) if fmt == "ogg" else mp3_frames(data)


def chunks(data: bytes, ends: list[int], start: int = 0, max_bytes: int = 8192) -> Iterator[tuple[int, int]]:
    """(from, to) byte ranges of `data` from `start` on, each of whole frames and at most
    `max_bytes` (unless one frame is larger). A `start` inside a frame makes the first
    range end with that frame: resuming from an acknowledged offset sends what is missing."""
    begin = last = start  # `last`: the end of the last frame taken since `begin`
    for end in ends:
        if end <= start:
            continue
        if end - begin > max_bytes and last > begin:
            yield begin, last
            begin = last
        last = end
    if begin < len(data):
        yield begin, len(data)


def opus_duration_ms(data: bytes) -> int:
    """Playing time of an Ogg Opus file: the last page's granule position minus the
    pre-skip of its head (RFC 7845, section 4)."""
    ends = ogg_pages(data)
    if not ends:
        return 0
    last = ends[-2] if len(ends) > 1 else 0
    granule = int.from_bytes(data[last + 6:last + 14], "little", signed=True)
    head = data.find(b"OpusHead")
    pre_skip = int.from_bytes(data[head + 10:head + 12], "little") if head >= 0 else 0
    return max(0, (granule - pre_skip) * 1000 // _OPUS_RATE)
