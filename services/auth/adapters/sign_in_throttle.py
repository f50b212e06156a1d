"""Failed sign-in counters in Redis: the rules of services/auth/domain/sign_in_throttling.py,
applied in one Lua script so that a burst of parallel attempts cannot slip past a lock
that is about to be set (each admitted attempt is counted before its password is checked).

Keys, all with the account's hash tag (one cluster slot):
  signin:{<account>}:n / :lock               failures on the account, its wait
  signin:{<account>}:c:<client>:n / :lock    failures of one client on it, its wait
"""

from __future__ import annotations

import redis.asyncio as aioredis

from services.auth.domain.sign_in_throttling import SignInThrottling, Throttled, seconds_from_millis
from services.runtime.cache import CACHE_ERRORS
from services.runtime.logging import get_logger

log = get_logger(__name__)

# KEYS: account n, account lock, client n, client lock
# ARGV: account free, cap, window, client free, cap, window
# Returns the milliseconds to wait (> 0: refused), or 0 (admitted and counted).
_ADMIT = """
local client_failures = tonumber(redis.call('GET', KEYS[3]) or '0')
local wait = redis.call('PTTL', KEYS[4])
if client_failures > 0 then
  wait = math.max(wait, redis.call('PTTL', KEYS[2]))
end
if wait > 0 then return wait end
local function backoff(n, free, cap)
  if n < free then return 0 end
  return math.min(cap, 2 ^ math.min(n - free, 32))
end
local a = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local c = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[6])
local account_wait = backoff(a, tonumber(ARGV[1]), tonumber(ARGV[2]))
if account_wait > 0 then redis.call('SET', KEYS[2], '1', 'EX', account_wait) end
local client_wait = backoff(c, tonumber(ARGV[4]), tonumber(ARGV[5]))
if client_wait > 0 then redis.call('SET', KEYS[4], '1', 'EX', client_wait) end
return 0
"""

# KEYS: account n, client n, client lock
_SUCCEEDED = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
redis.call('DEL', KEYS[2], KEYS[3])
return 0
"""


def _keys(account: str, client: str) -> tuple[str, str, str, str]:
    base = f"signin:{{{account}}}"
    return f"{base}:n", f"{base}:lock", f"{base}:c:{client}:n", f"{base}:c:{client}:lock"


class RedisSignInThrottle:
    def __init__(self, redis: aioredis.Redis, rules: SignInThrottling | None = None) -> None:
        self._rules = rules or SignInThrottling()
        self._admit = redis.register_script(_ADMIT)
        self._succeeded = redis.register_script(_SUCCEEDED)

    async def admit(self, account: str, client: str) -> Throttled | None:
        a, c = self._rules.account, self._rules.client
        try:
            wait_ms = int(await self._admit(keys=_keys(account, client), args=[
                a.free, a.cap_seconds, a.window_seconds, c.free, c.cap_seconds, c.window_seconds]))
        except CACHE_ERRORS as exc:
            # Degrade, do not refuse: the password check still runs (argon2 paces it) and
            # the gateway's per-client rate limit still holds.
            log.warning("redis unavailable: sign-in not throttled", error=str(exc))
            return None
        return Throttled(seconds_from_millis(wait_ms)) if wait_ms > 0 else None

    async def succeeded(self, account: str, client: str) -> None:
        account_n, _, client_n, client_lock = _keys(account, client)
        try:
            await self._succeeded(keys=[account_n, client_n, client_lock])
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: sign-in counters not reset", error=str(exc))
