"""Password rules: what a new password must not be, and the one form it is hashed in.

Passwords are normalised to Unicode NFKC before hashing and before verifying, so the
same password typed on keyboards that produce composed (NFC) or decomposed (NFD)
characters, or full-width forms, is the same password. Hashes made before that rule
(users.password_nfkc = false) are verified as stored and replaced on the next
successful sign-in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from services.runtime.errors import InvalidArgument

MIN_LENGTH = 8
# Identifiers shorter than this are compared for equality only: a 2-letter e-mail name
# must not forbid every password that happens to contain those two letters.
_CONTAINED_FROM = 4


def normalize_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def check_new_password(password: str, *, login: str, email: str, is_common: Callable[[str], bool]) -> str:
    """The password as it is to be hashed (NFKC), or InvalidArgument on `password` when it
    is blank, too short once normalised, contains the login or the e-mail's name, or is
    on a list of common (breached) passwords."""
    normalized = normalize_password(password)
    if not normalized.strip():
        raise InvalidArgument.on_field("password", "must not be only spaces", "PASSWORD_BLANK")
    if len(normalized) < MIN_LENGTH:
        raise InvalidArgument.on_field("password", f"must be at least {MIN_LENGTH} characters",
                                       "PASSWORD_TOO_SHORT")
    folded = normalized.casefold()
    for what, identifier in (("login", login), ("e-mail address", email.rpartition("@")[0]),
                             ("e-mail address", email)):
        ident = _folded(identifier.strip())
        if ident and (folded == ident or (len(ident) >= _CONTAINED_FROM and ident in folded)):
            raise InvalidArgument.on_field("password", f"must not contain your {what}",
                                           "PASSWORD_CONTAINS_IDENTITY")
    if is_common(normalized):
        raise InvalidArgument.on_field(
            "password", "is too common: it is on lists of passwords that attackers try first; choose another",
            "PASSWORD_TOO_COMMON")
    return normalized
