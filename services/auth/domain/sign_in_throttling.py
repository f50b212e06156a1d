"""Brute-force protection of sign-in: the rules, pure (the counters live in Redis,
services/auth/adapters/sign_in_throttle.py, which applies the same rules atomically).

Two counters of failed attempts, each with exponential backoff:

- per account (the identifier as typed, normalised): every client's failures count.
  Its wait is capped (`cap_seconds`, 5 minutes by default) and it applies only to
  clients that have themselves failed on that account recently: a client with no
  recent failure on the account (the owner at home, typing the right password) is
  never held back by failures from other addresses. So an attacker cannot lock a
  victim out, and a botnet gets one free guess per address, then the account's wait.
- per account and client address (an IPv6 client by its /64, which one host gets
  whole): the client's own failures; a success resets it.

Unknown identifiers are counted exactly like existing ones (the key is the identifier,
never the user id), so neither the answer nor its timing tells which accounts exist.
Login and e-mail of one account are two identifiers: sharing one counter would reveal
that they belong together.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Backoff:
    """After `free` failures the next attempt waits 1 s, then 2, 4, 8 ... up to `cap_seconds`;
    failures are forgotten `window_seconds` after the last one."""

    free: int
    cap_seconds: int
    window_seconds: int

    def wait_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.cap_seconds, 1 << min(failures - self.free, 32))


@dataclass(frozen=True, slots=True)
class SignInThrottling:
    account: Backoff = field(default_factory=lambda: Backoff(free=10, cap_seconds=300, window_seconds=3600))
    client: Backoff = field(default_factory=lambda: Backoff(free=5, cap_seconds=300, window_seconds=86400))


@dataclass(frozen=True, slots=True)
class Throttled:
    """The attempt is refused without checking the password; retry after this long."""

    retry_after_seconds: int


def account_key(identifier: str) -> str:
    """A fixed-size key for the identifier as the lookup matches it (case-insensitively);
    Redis never holds the login or e-mail itself."""
    normalised = unicodedata.normalize("NFKC", identifier.strip()).casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def client_key(address: str) -> str:
    """IPv4 as is; IPv6 by its /64 (one subscriber's allocation: counting single IPv6
    addresses would give an attacker 2^64 fresh clients)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def seconds_from_millis(millis: int) -> int:
    return max(1, math.ceil(millis / 1000))
