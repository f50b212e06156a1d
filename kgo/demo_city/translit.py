"""Russian -> Latin transliteration and slug building.

A hand-written table instead of a third-party library keeps the package
dependency-free. The scheme follows the common "readable URL" style used by
Russian sites (х -> h, ы -> y, ж -> zh), so slugs look like the ones real
ticketing sites produce: "vystavka-sovremennyh-hudozhnikov".
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["slugify", "transliterate"]

_LOWER: Final[dict[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}

# str.translate with a prebuilt table is done in C, which matters because the
# POI/event generators may slugify hundreds of thousands of titles.
_TABLE: Final[dict[int, str]] = {}
for _cyr, _lat in _LOWER.items():
    _TABLE[ord(_cyr)] = _lat
    # Capitalise only the first Latin letter: "Щукин" -> "Schukin", not "SCHukin".
    _TABLE[ord(_cyr.upper())] = _lat[:1].upper() + _lat[1:]
del _cyr, _lat

_NON_SLUG: Final = re.compile(r"[^a-z0-9]+")


def transliterate(text: str) -> str:
    """Replace Cyrillic letters with Latin ones; everything else is kept.

    >>> transliterate("Щукин и Ёлкин")
    'Schukin i Elkin'
    """
    return text.translate(_TABLE)


def slugify(text: str, max_len: int = 80) -> str:
    """Lowercase ASCII slug of ``text`` made of ``[a-z0-9]`` words joined by ``-``.

    Cut at a word boundary so a truncated slug never ends mid-word or with a
    dangling hyphen; a single overlong word is hard-cut as a last resort.
    """
    if max_len < 1:
        raise ValueError("max_len must be positive")
    slug = _NON_SLUG.sub("-", transliterate(text).lower()).strip("-")
    if len(slug) <= max_len:
        return slug
    cut = slug[: max_len + 1]
    boundary = cut.rfind("-")
    slug = cut[:boundary] if boundary > 0 else slug[:max_len]
    return slug.strip("-")
