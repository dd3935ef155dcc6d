from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Discover Piana di Lucca")

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks

        _psycopg_keeps_long_statements()


# psycopg (client-side binding, as Django uses it) caches how it splits a query at its
# placeholders only for strings up to 4,096 bytes with up to 50 parameters. A hold's write (its
# rows' INSERTs and the counters' UPDATEs in one string, bookings/services/writes.py) is longer
# and has more parameters: it was split again on every hold (~0.4 ms of CPU). The same few
# shapes recur, and the cache (an LRU of 128 entries) keeps them.
STATEMENT_CACHE_BYTES = 64 * 1024
STATEMENT_CACHE_PARAMS = 1000


def _psycopg_keeps_long_statements() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only
        return
    if hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH") and hasattr(
        _queries, "MAX_CACHED_STATEMENT_PARAMS"
    ):
        _queries.MAX_CACHED_STATEMENT_LENGTH = max(
            _queries.MAX_CACHED_STATEMENT_LENGTH, STATEMENT_CACHE_BYTES
        )
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(
            _queries.MAX_CACHED_STATEMENT_PARAMS, STATEMENT_CACHE_PARAMS
        )
