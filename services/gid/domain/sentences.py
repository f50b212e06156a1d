"""Narration text -> the pieces synthesised one by one (sentences), so that the first is
ready to play while the rest are still being synthesised. Pure."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (possibly several, possibly followed by a closing quote or
# bracket) before whitespace. Not after an initial ("А. С. Пушкин") or an abbreviation.
_END = re.compile(r"""(?<=[.!?…])["»”')\]]*(?=\s)""")
_ABBREVIATIONS = frozenset({
    "г", "гг", "в", "вв", "ул", "пл", "пр", "пер", "наб", "им", "св", "т", "е", "д", "др", "пр-т", "стр",
    "корп", "см", "ср", "н", "э", "до", "т.е", "т.д", "т.п", "etc", "e.g", "i.e", "st", "mr", "mrs", "dr", "vs",
})
# A first piece longer than this is cut at a comma or dash: it is what the listener waits for.
FIRST_PIECE_CHARS = 160
# Longer sentences are cut at commas or dashes (the engine reads a piece at a time).
MAX_PIECE_CHARS = 400
_SOFT_BREAK = re.compile(r"(?<=[,;:—–])\s+")


def _ends_with_abbreviation(text: str) -> bool:
    last = text.rstrip().rsplit(maxsplit=1)[-1] if text.strip() else ""
    word = last.rstrip(".").lstrip("(«\"'").lower()
    # A single letter before the dot is an initial; a listed word an abbreviation.
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS


def _sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _END.finditer(text):
        candidate = text[start:match.end()]  # closing quotes stay with their sentence
        if _ends_with_abbreviation(candidate.rstrip("\"»”')]")):
            continue
        pieces.append(candidate.strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _cut(sentence: str, limit: int) -> list[str]:
    """`sentence` in pieces of at most ~`limit` characters, cut after commas or dashes
    (or between words when it has none)."""
    if len(sentence) <= limit:
        return [sentence]
    parts = _SOFT_BREAK.split(sentence)
    if len(parts) == 1:
        parts = sentence.split()
    pieces: list[str] = []
    current = ""
    for part in parts:
        joined = f"{current} {part}".strip()
        if current and len(joined) > limit:
            pieces.append(current)
            current = part
        else:
            current = joined
    if current:
        pieces.append(current)
    return pieces


def split(text: str) -> list[str]:
    """The pieces of `text` to synthesise in order: its sentences, the first one short."""
    normalized = " ".join(text.split())
    pieces = [piece for sentence in _sentences(normalized) for piece in _cut(sentence, MAX_PIECE_CHARS)]
    if pieces and len(pieces[0]) > FIRST_PIECE_CHARS:
        pieces[:1] = _cut(pieces[0], FIRST_PIECE_CHARS)
    return pieces
