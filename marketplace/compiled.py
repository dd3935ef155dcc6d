"""Querysets compiled once per process, for the hottest reads (a hold's rates and suppliers).

Building and compiling a queryset costs several times what PostgreSQL takes to answer a small
indexed query. `fetch(key, build, *args)` builds the queryset once with stand-in arguments,
keeps its SQL and the compiler that knows how to turn rows into model instances (its
`select_related` models included, as Django's own iterator does), and afterwards only runs
the SQL with the real arguments in the stand-ins' places. `key` names the queryset's shape:
everything but the arguments must be the same for a key (a list argument's length is part of
the shape: give it in the key).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models.query import get_related_populators

_local = threading.local()
# Stand-ins no real argument (ids, counts) takes.
_STAND_IN = -7_319_440_000


class _Shape:
    def __init__(self, queryset, arity: int):
        stand_ins = [_STAND_IN - i for i in range(arity)]
        queryset = queryset(*stand_ins) if callable(queryset) else queryset
        self.db = queryset.db
        compiler = queryset.query.get_compiler(using=self.db)
        sql, params = compiler.as_sql()
        self.places = []
        for position, value in enumerate(params):
            if type(value) is int and value in stand_ins:
                self.places.append((position, stand_ins.index(value)))
        if sorted(index for _, index in self.places) != list(range(arity)):
            raise ValueError("every argument must appear once, as a plain parameter")
        self.sql, self.params, self.compiler = sql, list(params), compiler
        klass_info, select = compiler.klass_info, compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)

    def run(self, args) -> list:
        params = list(self.params)
        for position, index in self.places:
            params[position] = args[index]
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        objects = []
        for row in self.compiler.results_iter([rows]):
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects


def fetch(key, build: Callable, *args) -> list:
    """The model instances `build(*args)` (a queryset) would give, its SQL compiled once per
    process and thread for `key`."""
    shapes = getattr(_local, "shapes", None)
    if shapes is None:
        shapes = _local.shapes = {}
    shape = shapes.get(key)
    if shape is None:
        shape = shapes[key] = _Shape(build, len(args))
    return shape.run(args)
