"""The benchmarks' own database (`<name>_bench` on PostgreSQL): a run that crashed or was
killed leaves it behind, sometimes with its connections still open, and Django's
`create_test_db` then fails with "database ... already exists" / "is being accessed by other
users". `fresh_bench_database` drops such a stale database first (its sessions ended), then
creates it."""

from __future__ import annotations


def drop_stale_database(connection, name: str) -> bool:
    """Drop the PostgreSQL database `name` if it exists, ending the sessions still connected
    to it. Returns whether there was one. Nothing to do on SQLite (in memory)."""
    if connection.vendor != "postgresql":
        return False
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            return False
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        quoted = connection.ops.quote_name(name)
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    return True


def fresh_bench_database(connection, bench_name: str) -> None:
    """Point the connection's test settings at `bench_name`, drop a stale one, create it."""
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_name
    if drop_stale_database(connection, bench_name):
        print(f"dropped the stale database {bench_name} left by an earlier run")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
