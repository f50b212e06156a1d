"""Is a review's text abusive? English through better-profanity's word list (with its
leetspeak variants); Russian mat by stems matched at the start of a word (after the
usual verb prefixes), so inflections (`...ать`, `...ый`, `...ка`) are caught while words
that merely contain the letters ("страхуй", "употреблять", "сукно") are not.

Pure: the word lists ship with the code; nothing is read at run time from elsewhere."""

from __future__ import annotations

import re
from functools import cache

# Latin letters that look Cyrillic (a common way around filters), folded before matching.
_LOOKALIKES = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к",
                             "m": "м", "t": "т", "b": "б", "h": "н", "ё": "е", "3": "з", "0": "о", "@": "а"})

# Prefixes a mat verb takes (вы-ебать, за-ебать, от-пиздить, ...).
_PREFIXES = ("", "вы", "за", "у", "по", "на", "от", "при", "раз", "рас", "съ", "об", "до", "про", "пере", "не",
             "под", "из", "въ", "отъ", "разъ", "подъ", "долбо", "мозго")
# Stems that are mat wherever a word begins with them (after a prefix).
_STEMS = ("хуй", "хуе", "хуи", "хуя", "хую", "хуел", "пизд", "ебат", "ебан", "ебал", "ебл", "ебу", "ебн", "еба",
          "ебе", "ебищ", "ебон", "бляд", "блят", "бля", "мудак", "мудил", "мудо", "сука", "суки", "суку", "сукой",
          "сучк", "сучар", "гандон", "гондон", "пидор", "пидар", "пидр", "залуп", "шлюх", "манда", "мандав", "дрочи",
          "дроч", "уебок", "уебищ", "ебуч", "долбоеб", "пздц")
# Words that begin with a stem and are not mat (checked whole).
_ALLOWED = frozenset({"сукно", "сукна", "сукном", "сукне", "сукновал", "употребл", "ебонит", "хуанхэ"})

_WORD = re.compile(r"[a-zа-я0-9@]+", re.IGNORECASE)


@cache
def _russian() -> re.Pattern[str]:
    prefixes = "|".join(sorted(_PREFIXES, key=len, reverse=True))
    stems = "|".join(sorted(_STEMS, key=len, reverse=True))
    return re.compile(rf"^(?:{prefixes})(?:{stems})")


def _russian_mat(word: str) -> bool:
    folded = word.lower().translate(_LOOKALIKES)
    if folded in _ALLOWED or any(folded.startswith(a) for a in _ALLOWED if len(a) >= 6):
        return False
    if not re.search("[а-я]", folded):
        return False
    return _russian().match(folded) is not None


@cache
def _english() -> object:
    from better_profanity import profanity  # its word list is loaded once

    profanity.load_censor_words()
    return profanity


def is_abusive(text: str) -> bool:
    if not text.strip():
        return False
    if any(_russian_mat(w) for w in _WORD.findall(text.replace("ё", "е").replace("Ё", "Е"))):
        return True
    return bool(_english().contains_profanity(text))  # type: ignore[attr-defined]
