"""A new booking's rows in one round trip (PostgreSQL).

The ids come first, from the tables' own sequences, in one query outside any transaction (a
hold that is then refused leaves a gap, as a rolled-back INSERT does). With the ids known,
every row's INSERT and the counters' guarded UPDATEs go to the server as one multi-statement
string, which PostgreSQL runs as one implicit transaction: a counter without room raises
SQLSTATE PDL01 (`inventory.guarded_takes`) and nothing of the string is kept. The rows and
their values are the ones Django's own INSERT would write (each field's `pre_save` and
`get_db_prep_save`); only the SQL is put together here, once per shape."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Field

from .inventory import guarded_takes, run_guarded


def next_ids(counts: list[tuple[type, int]]) -> list[list[int]]:
    """`n` new ids of each model's table, in one query."""
    sql, params = ids_statement(counts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return ids_from_rows(counts, cursor.fetchall())


def ids_statement(counts: list[tuple[type, int]]) -> tuple[str, list]:
    """The query `next_ids` runs (a hold may send it with its reads: `read_together`)."""
    parts, params = [], []
    for position, (model, n) in enumerate(counts):
        parts.append(
            f"SELECT {position}, nextval(%s) FROM generate_series(1, %s)"  # noqa: S608
        )
        params += [_sequence(model), n]
    return " UNION ALL ".join(parts), params


def ids_from_rows(counts: list[tuple[type, int]], rows) -> list[list[int]]:
    ids: list[list[int]] = [[] for _ in counts]
    for position, value in rows:
        ids[position].append(value)
    return [sorted(values) for values in ids]


_SEQUENCES: dict[type, str] = {}


def _sequence(model) -> str:
    if model not in _SEQUENCES:
        opts = model._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [connection.ops.quote_name(opts.db_table), opts.pk.column],
            )
            _SEQUENCES[model] = cursor.fetchone()[0]
    return _SEQUENCES[model]


def insert_sql(objects: list) -> tuple[str, list]:
    """One INSERT of `objects` (instances of one model, their pks set): the columns and the
    values Django's compiler would write for them."""
    model = type(objects[0])
    head, fields = _shape(model)
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: no proxy per value
    params = []
    append = params.append
    for obj in objects:
        for field, plain, passes in fields:
            value = getattr(obj, field.attname) if plain else field.pre_save(obj, True)
            if type(value) in passes:  # what Django would hand psycopg as it is
                append(value)
                continue
            if hasattr(value, "resolve_expression"):  # expressions and database defaults
                raise TypeError(f"{model.__name__}.{field.name}: a value, not an expression")
            append(field.get_db_prep_save(value, connection=db))
    return head + ", ".join([_row(len(fields))] * len(objects)), params


_SHAPES: dict[type, tuple[str, list]] = {}


def _shape(model) -> tuple[str, list]:
    """`INSERT INTO table (columns) VALUES ` and the fields, each with whether its value is
    its attribute as it stands (a field whose `pre_save` is Field's own, not a date's
    `auto_now`) and the value types psycopg is given unchanged (`_passes`), once per model."""
    if model not in _SHAPES:
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        if any(hasattr(f, "get_placeholder") for f in fields):
            raise TypeError(f"{model.__name__}: a field with its own SQL placeholder")
        quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
        _SHAPES[model] = (
            head,
            [(field, type(field).pre_save is Field.pre_save, _passes(field)) for field in fields],
        )
    return _SHAPES[model]


def _passes(field) -> frozenset:
    """Value types for which `field.get_db_prep_save` changes nothing in the SQL text psycopg
    writes (client-side binding; Django may wrap an int in psycopg's Int4/Int8): a str of
    a text column, an int of an integer column or of a foreign key to one, a bool of a boolean
    column, and None (NULL) of any of these. Other types and fields (dates, decimals, JSON, a
    field's own conversions) go through Django; the parity test in
    tests/bookings/test_hold_commit.py compares every column with Django's own INSERT."""
    target = field.target_field if field.is_relation else field
    kind = type(target)
    if kind not in _PLAIN_FIELDS or (field.is_relation and type(field) not in _PLAIN_RELATIONS):
        return frozenset()
    return frozenset({_PLAIN_FIELDS[kind], type(None)})


_PLAIN_FIELDS = {
    **dict.fromkeys((models.CharField, models.TextField, models.EmailField, models.SlugField), str),
    **dict.fromkeys(
        (
            models.AutoField,
            models.BigAutoField,
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
        ),
        int,
    ),
    models.BooleanField: bool,
}
_PLAIN_RELATIONS = {models.ForeignKey, models.OneToOneField}


def _row(width: int) -> str:
    return "(" + ", ".join(["%s"] * width) + ")"


def write_at_once(groups: list[list], wanted, as_state: str) -> None:
    """Insert `groups` (lists of unsaved instances of one model each, pks set, in the order
    their foreign keys need) and take the `wanted` counters, all in one round trip; then mark
    the instances saved. Raises what `inventory.refusals` turns into SoldOut or Busy."""
    statements, params = [], []
    for objects in groups:
        if objects:
            sql, values = insert_sql(objects)
            statements.append(sql)
            params += values
    takes, take_params = guarded_takes(wanted, as_state)
    # Without BEGIN: a multi-statement string is one implicit transaction, ended by the server.
    run_guarded(statements + takes, params + take_params, wanted)
    for objects in groups:
        for obj in objects:
            obj._state.adding = False
            obj._state.db = connection.alias
