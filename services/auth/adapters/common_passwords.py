"""The list of common passwords: the 30,000 most frequent passwords of public breach
corpora, as shipped in the `zxcvbn` package (MIT; zxcvbn/frequency_lists.py). Read once,
from the installed package: nothing is downloaded at run time."""

from __future__ import annotations

from functools import cached_property


class CommonPasswords:
    """The PasswordBlocklist port. Case-insensitive: the list is lower case, and "Password"
    is no better than "password"."""

    @cached_property
    def _words(self) -> frozenset[str]:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS  # ~0.8 MB of Python: loaded on first use

        words = FREQUENCY_LISTS["passwords"]
        return frozenset(w.lower() for w in (words.split(",") if isinstance(words, str) else words))

    def is_common(self, password: str) -> bool:
        folded = password.lower()
        return folded in self._words or folded.strip() in self._words

    def warm(self) -> None:
        """Load the list now (at start-up) rather than in the first sign-up."""
        _ = self._words
