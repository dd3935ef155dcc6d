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

from django.db import connections
from django.db.models.query import get_related_populators


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

    def all(self, *, using: str = "default", **values) -> list:
        compiled = self._compiled.get(using) or self._compile(using)
        sql, params, compiler, converters, model, (start, end), init_list, populators = compiled
        if values.keys() != self._placeholders.keys():
            raise TypeError(f"give exactly {sorted(self._placeholders)}")
        for name, value in values.items():
            if type(value) is not type(self._placeholders[name]):
                raise TypeError(
                    f"{name}: {type(value).__name__} where the query takes a "
                    f"{type(self._placeholders[name]).__name__}"
                )
        arguments = [values[name] if name else constant for name, constant in params]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, arguments)
            rows = cursor.fetchall()
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
