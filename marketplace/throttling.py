"""Rate limits of the API (DRF throttling, counted in the default cache: Redis through
CACHE_URL in production and CI, so every worker shares the counts). Beyond a rate the answer
is 429 with Retry-After, in the one error shape (marketplace/api.py).

- `ApiKeyRateThrottle` (scope "api_key"): per API key, whatever address it calls from.
- `SessionUserRateThrottle` (scope "user"): per signed-in person (the browser session).
- `AnonRateThrottle` (scope "anon"): per client address, before any credentials.

DRF's own UserRateThrottle would count every API-key request under one key "None" (an API
key's principal has no user id): all partners would share one counter."""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


def _api_key(request):
    from accounts.models import ApiKey

    return request.auth if isinstance(request.auth, ApiKey) else None


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        api_key = _api_key(request)
        if api_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}


class SessionUserRateThrottle(SimpleRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        user = request.user
        if _api_key(request) is not None or not (user and user.is_authenticated) or not user.pk:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


__all__ = ["AnonRateThrottle", "ApiKeyRateThrottle", "SessionUserRateThrottle"]
