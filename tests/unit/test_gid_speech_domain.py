"""gid-service's pure speech pieces: sentences, content hashes, audio frames and the one
continuous Ogg stream made of separately encoded pieces."""

from __future__ import annotations

import struct

import pytest

from services.gid.domain import audio_frames, sentences
from services.gid.domain.ogg_stream import STREAM_SERIAL, StreamPosition, ogg_crc, restream, restream_pages
from services.gid.domain.speech import StoredSpeech, Utterance, narration_pieces


def test_sentences_split_at_ends_but_not_after_initials_or_abbreviations() -> None:
    text = ("Перед вами ГМИИ им. А. С. Пушкина, открытый в 1912 году. Здание строили 14 лет! "
            "Он сказал: «Привет.» Потом ушёл… Конец")
    assert sentences.split(text) == [
        "Перед вами ГМИИ им. А. С. Пушкина, открытый в 1912 году.", "Здание строили 14 лет!",
        "Он сказал: «Привет.»", "Потом ушёл…", "Конец"]
    assert sentences.split("This is Mr. Smith at St. Petersburg. Wow!") == [
        "This is Mr. Smith at St. Petersburg.", "Wow!"]


def test_a_long_first_sentence_is_cut_at_a_comma_so_the_first_piece_is_ready_soon() -> None:
    first = "Слово, " * 40 + "конец."
    pieces = sentences.split(first + " Второе предложение.")
    assert all(len(p) <= sentences.FIRST_PIECE_CHARS for p in pieces[:-1])
    assert " ".join(pieces) == " ".join((first + " Второе предложение.").split())


def test_a_sentence_without_commas_is_cut_between_words() -> None:
    long = " ".join(["слово"] * 200) + "."
    pieces = sentences.split(long)
    assert len(pieces) > 1 and all(len(p) <= sentences.MAX_PIECE_CHARS for p in pieces)
    assert " ".join(pieces) == long


def test_the_content_hash_names_text_language_voice_and_engine() -> None:
    a = Utterance("Привет,  мир.", "ru")
    assert a.content_hash("e1") == Utterance(" Привет, мир. ", "ru").content_hash("e1")  # whitespace collapsed
    others = {Utterance("Привет, мир.", "en").content_hash("e1"), Utterance("Привет, мир.", "ru", "female")
              .content_hash("e1"), a.content_hash("e2"), Utterance("Привет, мир!", "ru").content_hash("e1")}
    assert a.content_hash("e1") not in others and len(others) == 4


def test_stored_speech_round_trips_through_json() -> None:
    speech = StoredSpeech("ab" * 32, 1234, {"ogg": 10, "mp3": 20}, "espeak-ng 1.51")
    assert StoredSpeech.from_json(speech.to_json()) == speech


def test_a_narration_is_its_sentences() -> None:
    assert [u.text for u in narration_pieces("Раз. Два.", "ru")] == ["Раз.", "Два."]


# --- Ogg --------------------------------------------------------------------------

def _reference_crc(data: bytes) -> int:
    """Ogg's CRC-32 bit by bit (RFC 3533): polynomial 0x04C11DB7, MSB first, init 0."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _page(payload: bytes, *, granule: int, sequence: int, flags: int = 0, serial: int = 7) -> bytes:
    segments = [255] * (len(payload) // 255) + [len(payload) % 255]
    header = bytearray(b"OggS" + bytes([0, flags]) + struct.pack("<qII", granule, serial, sequence) + b"\0\0\0\0"
                       + bytes([len(segments)]) + bytes(segments))
    page = bytes(header) + payload
    return page[:22] + struct.pack("<I", _reference_crc(page)) + page[26:]


def _opus_file(samples: int, pages: int = 3) -> bytes:
    """A minimal Ogg Opus file: OpusHead (pre-skip 312), OpusTags, audio pages."""
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 24000, 0, 0)
    out = [_page(head, granule=0, sequence=0, flags=0x02), _page(b"OpusTags" + b"\0" * 8, granule=0, sequence=1)]
    for i in range(pages):
        last = i == pages - 1
        out.append(_page(bytes([i]) * 300, granule=samples * (i + 1) // pages, sequence=2 + i,
                         flags=0x04 if last else 0))
    return b"".join(out)


def _pages(data: bytes) -> list[bytes]:
    begin, found = 0, []
    for end in audio_frames.ogg_pages(data):
        found.append(data[begin:end])
        begin = end
    return found


def test_ogg_crc_is_the_reference_crc() -> None:
    data = bytes(range(256)) * 20
    assert ogg_crc(data) == _reference_crc(data)


def test_ogg_pages_and_the_opus_duration() -> None:
    piece = _opus_file(48_000 + 312)
    assert len(audio_frames.ogg_pages(piece)) == 5
    assert audio_frames.opus_duration_ms(piece) == 1000
    with pytest.raises(ValueError, match="no Ogg page"):
        audio_frames.ogg_pages(b"not ogg at all, clearly")


def test_pieces_become_one_stream_with_one_header_and_running_granules() -> None:
    first, second = _opus_file(48_312), _opus_file(96_312)
    one, after_one = restream(first, StreamPosition())
    two, after_two = restream(second, after_one)
    pages = _pages(one + two)
    assert [p[28:36] for p in pages].count(b"OpusHead") == 1 and [p[28:36] for p in pages].count(b"OpusTags") == 1
    assert len(pages) == 5 + 3  # the second piece's header pages are dropped
    for sequence, page in enumerate(pages):
        flags, (_, serial, seq) = page[5], struct.unpack_from("<qII", page, 6)
        assert serial == STREAM_SERIAL and seq == sequence
        assert flags & 0x04 == 0  # never end-of-stream: the tour goes on
        assert (flags & 0x02 != 0) == (sequence == 0)  # begins once
        stored = struct.unpack_from("<I", page, 22)[0]
        assert stored == _reference_crc(page[:22] + b"\0\0\0\0" + page[26:])
    granules = [struct.unpack_from("<q", p, 6)[0] for p in pages]
    assert granules[-1] == 48_312 + 96_312 and granules == sorted(granules)
    assert after_two == StreamPosition(8, 48_312 + 96_312)
    assert audio_frames.opus_duration_ms(one + two) == (48_312 + 96_312 - 312) * 1000 // 48_000


def test_restreaming_from_the_same_position_gives_the_same_bytes() -> None:
    piece = _opus_file(48_312)
    at = StreamPosition(11, 123_456)
    assert restream(piece, at) == restream(piece, at)
    positions = [p for _, p in restream_pages(piece, at)]
    assert positions[-1] == StreamPosition(14, 123_456 + 48_312)


# --- MP3 and chunking --------------------------------------------------------------

def _mp3_frame(padding: int = 0) -> bytes:
    # MPEG-2 Layer III, 48 kbit/s, 22050 Hz: 72 * 48000 / 22050 = 156 bytes (+ padding).
    header = bytes([0xFF, 0xF3, (6 << 4) | (0 << 2) | (padding << 1), 0xC4])
    return header + b"\0" * (156 + padding - 4)


def test_mp3_frames_are_found_by_their_headers() -> None:
    data = _mp3_frame() + _mp3_frame(1) + _mp3_frame()
    assert audio_frames.mp3_frames(data) == [156, 313, 469]
    with pytest.raises(ValueError, match="no MP3 frame"):
        audio_frames.mp3_frames(data + b"junk")


def test_chunks_hold_whole_frames_and_resume_inside_one() -> None:
    data = bytes(1000)
    ends = [100, 250, 600, 700, 1000]
    assert list(audio_frames.chunks(data, ends, 0, 300)) == [(0, 250), (250, 600), (600, 700), (700, 1000)]
    # From byte 120 (inside the second frame): the rest of it first, then whole frames.
    assert list(audio_frames.chunks(data, ends, 120, 300)) == [(120, 250), (250, 600), (600, 700), (700, 1000)]
    assert list(audio_frames.chunks(data, ends, 1000, 300)) == []
