"""Queries of a fixed shape, compiled once per process.

Django compiles a queryset's SQL afresh every time it runs it. For a lookup by key that joins
a few wide tables (an API key with its organisation and trade contract; a slot with its
product, supplier and the supplier's terms: 120-odd columns) compiling costs more CPU than
the database spends answering. A `CompiledQuery` compiles its queryset once per database
alias, with placeholder values standing for the parameters, then runs that SQL with each
call's values and builds the objects as Django's own iterator does (`ModelIterable`: the
same columns, converters and `select_related` objects), through the connection's cursor, so
query logging, execute wrappers and query counts see it as any other query.

Only for querysets whose SQL does not depend on the values: exact lookups on plain columns
(no `__in` lists, no None, no translated fields), no annotations, no prefetching."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections
from django.db.models.query import get_related_populators

# (query, alias, *values) -> rows read ahead by `read_together`, inside its block only.
_READ_AHEAD: ContextVar[dict | None] = ContextVar("compiled_reads_ahead", default=None)


class CompiledQuery:
    def __init__(self, build, **placeholders):
        """`build(**placeholders)` returns the queryset. Each placeholder value must come back
        unchanged, once, among the compiled parameters (checked when compiling): choose
        values no real call uses as a constant, of the type real calls pass."""
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str) -> tuple:
        queryset = self._build(**self._placeholders)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("a CompiledQuery cannot prefetch")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = []
        for value in params:
            names = [
                name
                for name, placeholder in self._placeholders.items()
                if type(placeholder) is type(value) and placeholder == value
            ]
            slots.append(names[0] if names else None)
        if sorted(name for name in slots if name) != sorted(self._placeholders):
            raise ValueError(f"placeholders not found once each in the parameters {params!r}")
        klass_info = compiler.klass_info
        if klass_info is None or compiler.annotation_col_map:
            raise ValueError("a CompiledQuery builds model instances only, without annotations")
        select = compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        compiled = (
            sql,
            list(zip(slots, params, strict=True)),
            compiler,
            compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
            klass_info["model"],
            (start, end),
            [column[0].target.attname for column in select[start:end]],
            get_related_populators(klass_info, select, alias),
        )
        self._compiled[alias] = compiled
        return compiled

    def statement(self, *, using: str = "default", **values) -> tuple[str, list]:
        """The SQL and arguments `all(**values)` runs (for `read_together`)."""
        sql, params = self._compiled_for(using)[:2]
        if values.keys() != self._placeholders.keys():
            raise TypeError(f"give exactly {sorted(self._placeholders)}")
        for name, value in values.items():
            if type(value) is not type(self._placeholders[name]):
                raise TypeError(
                    f"{name}: {type(value).__name__} where the query takes a "
                    f"{type(self._placeholders[name]).__name__}"
                )
        return sql, [values[name] if name else constant for name, constant in params]

    def all(self, *, using: str = "default", **values) -> list:
        ahead = _READ_AHEAD.get()
        if ahead is not None and (key := _key(self, using, values)) in ahead:
            return self.objects(ahead[key], using=using)
        sql, arguments = self.statement(using=using, **values)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, arguments)
            rows = cursor.fetchall()
        return self.objects(rows, using=using)

    def _compiled_for(self, using: str) -> tuple:
        return self._compiled.get(using) or self._compile(using)

    def objects(self, rows, *, using: str = "default") -> list:
        """The model instances of `rows` (as this query's SQL returns them)."""
        _sql, _params, compiler, converters, model, (start, end), init_list, populators = (
            self._compiled_for(using)
        )
        if converters:
            rows = compiler.apply_converters(rows, converters)
        objects = []
        for row in rows:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, *, using: str = "default", **values):
        """The first row (the queryset should select one row at most), or None."""
        rows = self.all(using=using, **values)
        return rows[0] if rows else None


class FixedRead:
    """A read in fixed SQL (no model instances: its rows as they come) that `read_together`
    can answer ahead, like a CompiledQuery. Its values are given by name, in the order of the
    SQL's placeholders."""

    def __init__(self, sql: str):
        self.sql = sql

    def statement(self, *, using: str = "default", **values) -> tuple[str, list]:
        return self.sql, list(values.values())

    def all(self, *, using: str = "default", **values) -> list:
        ahead = _READ_AHEAD.get()
        if ahead is not None and (key := _key(self, using, values)) in ahead:
            return list(ahead[key])
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, list(values.values()))
            return cursor.fetchall()


def _key(query, using: str, values: dict) -> tuple:
    return (
        query,
        using,
        *sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()),
    )


@contextmanager
def read_together(reads: list, extra: list = (), *, using: str = "default"):
    """Run several reads in one round trip (PostgreSQL: one multi-statement string, one
    result set each): `reads` are (query, values) of CompiledQuery or FixedRead objects, whose
    `all(**values)` inside the block answer from what was read instead of asking again;
    `extra` are (sql, params) whose rows the block receives, in order. Elsewhere (SQLite)
    nothing is read ahead and each query asks when it is run."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not (reads or extra):
        yield [None] * len(extra)
        return
    statements, arguments = [], []
    for query, values in reads:
        sql, args = query.statement(using=using, **values)
        statements.append(sql)
        arguments += args
    for sql, params in extra:
        statements.append(sql)
        arguments += params
    results = []
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), arguments)
        while True:
            results.append(cursor.fetchall())
            if not cursor.nextset():
                break
    if len(results) != len(statements):
        raise RuntimeError(f"{len(statements)} statements answered {len(results)} result sets")
    ahead = dict(_READ_AHEAD.get() or {})
    for (query, values), rows in zip(reads, results[: len(reads)], strict=True):
        ahead[_key(query, using, values)] = rows
    token = _READ_AHEAD.set(ahead)
    try:
        yield results[len(reads) :]
    finally:
        _READ_AHEAD.reset(token)
