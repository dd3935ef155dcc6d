"""Rate limits of the API (DRF throttling, counted in the default cache: Redis through
CACHE_URL in production and CI, so every worker shares the counts). Beyond a rate the answer
is 429 with Retry-After, in the one error shape (marketplace/api.py).

- `ApiKeyRateThrottle` (scope "api_key"): per API key, whatever address it calls from.
- `SessionUserRateThrottle` (scope "user"): per signed-in person (the browser session).
- `AnonRateThrottle` (scope "anon"): per client address, before any credentials.

DRF's own UserRateThrottle would count every API-key request under one key "None" (an API
key's principal has no user id): all partners would share one counter."""

import contextlib
import math

from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling
from rest_framework.throttling import SimpleRateThrottle


class _WindowCounterThrottle(SimpleRateThrottle):
    """DRF's throttles keep every request's time in one cache entry, read and rewritten
    (pickled) on each request: two round trips and a list as long as the rate. This counts
    instead: one counter per window of the rate's duration, the previous window weighted by
    the share of it still inside the last `duration` seconds (a sliding window, estimated).
    On Redis one round trip (a script: INCR, EXPIRE when new, and the previous count); on any
    other cache `add` + `incr` + `get`. A refused request is not counted, as with DRF's."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        current_key = f"{self.key}:{window}"
        current, previous = self._count(current_key, f"{self.key}:{window - 1}")
        self._into_window = self.now - window * self.duration
        weight = 1 - self._into_window / self.duration
        self._excess = previous * weight + current - self.num_requests
        self._previous = previous
        if self._excess > 0:
            self._uncount(current_key)
            return self.throttle_failure()
        return True

    def wait(self):
        """Seconds until the estimate lets a request through: the previous window's share
        fades with time, the current window's count only when the window ends."""
        left = self.duration - self._into_window
        if self._previous:
            left = min(left, self._excess * self.duration / self._previous)
        return max(math.ceil(left), 1)

    @property
    def _cache_backend(self):
        # DRF's `cache` is django.core.cache.cache, a proxy to the default cache: look through
        # it, so that Redis is recognised.
        connections = getattr(self.cache, "_connections", None)
        return self.cache if connections is None else connections[self.cache._alias]

    def _count(self, current_key, previous_key):
        cache = self._cache_backend
        ttl = 2 * self.duration
        if isinstance(cache, RedisCache):
            keys = [
                cache.make_and_validate_key(current_key),
                cache.make_and_validate_key(previous_key),
            ]
            current, previous = _window_script(cache)(keys=keys, args=[ttl])
            return int(current), int(previous)
        cache.add(current_key, 0, ttl)
        return cache.incr(current_key), int(cache.get(previous_key) or 0)

    def _uncount(self, current_key):
        cache = self._cache_backend
        if isinstance(cache, RedisCache):
            _window_script(cache).registered_client.decr(cache.make_and_validate_key(current_key))
            return
        with contextlib.suppress(ValueError):  # expired meanwhile
            cache.decr(current_key)


# The current window's count (created with its expiry) and the previous window's, in one
# command: the script runs on the server by its digest (EVALSHA), loaded on first use.
_WINDOW_COUNT = """
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {current, tonumber(redis.call('GET', KEYS[2]) or '0')}
"""


def _window_script(cache: RedisCache):
    """The counting script bound to one Redis client kept by the cache backend (Django's
    backend builds a new client object on every call, ~0.2 ms of CPU each)."""
    script = getattr(cache, "_window_count_script", None)
    if script is None:
        client = cache._cache.get_client(None, write=True)
        script = cache._window_count_script = client.register_script(_WINDOW_COUNT)
    return script


class AnonRateThrottle(_WindowCounterThrottle, throttling.AnonRateThrottle):
    """Per client address, before any credentials (scope "anon")."""


def _api_key(request):
    from accounts.models import ApiKey

    return request.auth if isinstance(request.auth, ApiKey) else None


class ApiKeyRateThrottle(_WindowCounterThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        api_key = _api_key(request)
        if api_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}


class SessionUserRateThrottle(_WindowCounterThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        user = request.user
        if _api_key(request) is not None or not (user and user.is_authenticated) or not user.pk:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


__all__ = ["AnonRateThrottle", "ApiKeyRateThrottle", "SessionUserRateThrottle"]
