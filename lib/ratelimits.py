"""Counters behind the limits that protect the site from one client: the API's throttles
(`api.throttles`), the public forms' rate limit (`public.feedback`) and the rule that counts a
client's scans of one plate once per window (`qrplates.scans`).

Two promises, kept here for all three:

- **The shared cache being down is no error.** The counters live in the default cache (Redis in
  production, so that every app server counts together). When it cannot be reached, each process
  counts in its own memory instead: the limits still hold, per process rather than per site, and
  the request is answered. The fall-back is logged, and Redis is tried again after
  `RETRY_SECONDS` (not on every request: an unreachable server would cost each one a timeout).
- **Nothing about the visitor is kept.** A counter's key holds a keyed hash (HMAC-SHA256) of the
  client's address (and user agent, for scans) under a random salt. The salt lives only in the
  cache and is replaced every period: once its period is over it is gone, and no key, expired or
  not, can be linked back to an address, not even with the SECRET_KEY. Counters expire with
  their window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 10
DAY = 86400


class FailSoftCache:
    """The default cache, or, while it cannot be reached, this process's memory. Has what the
    limits use of Django's cache API (`get`, `set`, `add`, `incr`); DRF's throttles use it as
    their `cache`."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self.local = LocMemCache("streetinfo-limits", {"OPTIONS": {"MAX_ENTRIES": 50_000}})
        self._retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while the shared cache is skipped after a failure."""
        return time.monotonic() < self._retry_at

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if not self.degraded:
            try:
                return getattr(caches[self.alias], method)(*args, **kwargs)
            except ValueError:  # incr of a missing key: an answer, not a failure
                raise
            except Exception:
                with self._lock:
                    if not self.degraded:
                        self._retry_at = time.monotonic() + RETRY_SECONDS
                        logger.warning(
                            "The shared cache cannot be reached: limits count in this "
                            "process's memory for %s s",
                            RETRY_SECONDS,
                            exc_info=True,
                        )
        return getattr(self.local, method)(*args, **kwargs)

    def forget(self) -> None:
        """Empties this process's counters and salts, and asks the shared cache again at once
        (a test starting afresh)."""
        self.local.clear()
        self._retry_at = 0.0
        _salts.clear()

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._call("set", key, value, timeout)

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        return self._call("add", key, value, timeout)

    def incr(self, key: str, delta: int = 1) -> int:
        return self._call("incr", key, delta)


counters = FailSoftCache()


# Salts this process has read, with when it read them: asked again after SALT_MEMO_SECONDS (a
# salt lost from the cache is replaced by another process; this one follows within that time).
SALT_MEMO_SECONDS = 60
_salts: dict[str, tuple[float, bytes]] = {}


def salt(period: int) -> bytes:
    """This period's random salt, shared through the cache by every process (made by the first
    one that needs it) and gone from it soon after the period ends."""
    key = f"ratelimits:salt:{period}:{int(time.time() // period)}"
    now = time.monotonic()
    read, value = _salts.get(key, (0.0, b""))
    if now - read < SALT_MEMO_SECONDS:
        return value
    fresh = secrets.token_hex(32)
    counters.add(key, fresh, timeout=left_in(period) + 60)
    value = (counters.get(key) or fresh).encode()
    if not counters.degraded:  # a salt of this process's own memory is not the others'
        for old in [k for k in _salts if k.rsplit(":", 1)[0] == key.rsplit(":", 1)[0]]:
            del _salts[old]
        _salts[key] = (now, value)
    return value


def pseudonym(*parts: str, period: int) -> str:
    """A stand-in for `parts` (an address, a user agent) that is the same all through the
    current period and unlinkable to them once the period's salt is gone."""
    message = "\x1f".join(parts).encode("utf-8", "replace")
    return hmac.new(salt(period), message, hashlib.sha256).hexdigest()[:32]


def left_in(period: int) -> float:
    """Seconds until the current period of `period` seconds ends (windows are aligned on them,
    as salts are)."""
    return period - time.time() % period


def count(scope: str, *who: str, window: int) -> int:
    """Adds one to `who`'s counter in `scope` for the current window of `window` seconds, and
    returns it."""
    key = f"ratelimits:{scope}:{pseudonym(*who, period=window)}"
    if counters.add(key, 1, timeout=left_in(window)):
        return 1
    try:
        return counters.incr(key)
    except ValueError:  # expired between add and incr
        counters.set(key, 1, timeout=left_in(window))
        return 1


def first_time(scope: str, *who: str, window: int) -> bool:
    """True the first time `who` is seen in `scope` in the current window of `window`
    seconds."""
    key = f"ratelimits:{scope}:{pseudonym(*who, period=window)}"
    return counters.add(key, 1, timeout=left_in(window))
