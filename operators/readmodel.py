"""The availability search's read model, kept by PostgreSQL in the same transaction as the
counters it summarises.

- `operators_productday` (model ProductDay): per product and day, the most places one open
  slot or one open unit type still has; a row only where at least one place is left.
- `operators_product.price_from`: the cheapest adult or per-unit base rate of the smallest
  group band (what the catalogue shows as "from").

Triggers recompute only the (product, day) pairs a statement touched. An UPDATE of a slot or a
night (every hold, confirmation, release, closing) fires a row-level trigger, and only when
what is left or whether it is open changed: it recomputes that one pair with two indexed
lookups. INSERTs and DELETEs (generating or dropping a year of slots) fire statement-level
triggers with transition tables that recompute their pairs set-based, in one statement. Nothing
in Python writes these columns, so no write path (services, admin, bulk updates, raw SQL) can
forget them.

Two transactions changing different slots of one product and day would each compute the day
from a snapshot without the other's change, and the later commit would keep a stale figure. So
every recomputation locks first and reads after the lock (read committed: the next statement
sees the commits it waited for): a row-level one takes a transaction-level advisory lock on its
(product, day), after the table's ROW EXCLUSIVE lock that any write of it takes anyway; a
statement-level one (bulk inserts and deletes, rare, possibly thousands of pairs) takes the
table in SHARE ROW EXCLUSIVE mode, which waits for the row-level ones in flight and holds back
new ones until it commits.

SQLite (the embedded default) has no such triggers here: there the search reads the counters
directly (`operators.selectors.read_model_enabled`). `manage.py search_readmodel --check`
compares the read model with a fresh computation; `--rebuild` recomputes everything.
"""

from __future__ import annotations

from django.db import connection


def _best(pairs: str | None) -> str:
    """CTEs `live` and `best`: the most places left per (product, day), for the pairs in the
    CTE named by `pairs` (None: every product and day)."""
    slot_join = f"JOIN {pairs} ON {pairs}.product_id = s.product_id AND {pairs}.date = s.date"
    night_join = f"JOIN {pairs} ON {pairs}.product_id = u.product_id AND {pairs}.date = n.date"
    return f"""
live AS (
    SELECT s.product_id, s.date, MAX(s.capacity - s.sold - s.held) AS remaining
    FROM operators_slot s {slot_join if pairs else ""}
    WHERE s.status = 'open'
    GROUP BY s.product_id, s.date
    UNION ALL
    SELECT u.product_id, n.date, MAX(n.units - n.sold - n.held) AS remaining
    FROM operators_nightinventory n
    JOIN operators_unittype u ON u.id = n.unit_type_id {night_join if pairs else ""}
    WHERE NOT n.closed
    GROUP BY u.product_id, n.date
), best AS (
    SELECT product_id, date, MAX(remaining) AS remaining FROM live GROUP BY product_id, date
)"""


_UPSERT = """
INSERT INTO operators_productday (product_id, date, remaining)
SELECT product_id, date, remaining FROM best WHERE remaining > 0
ON CONFLICT (product_id, date) DO UPDATE SET remaining = EXCLUDED.remaining
WHERE operators_productday.remaining IS DISTINCT FROM EXCLUDED.remaining"""


# The advisory lock key of a (product, day): the application takes no other advisory locks.
_PAIR_KEY = "({product} * 100000 + ({day} - DATE '2000-01-01'))"


def _refresh_pairs(select_pairs: str) -> str:
    """Recompute the rows of the (product, day) pairs `select_pairs` yields (it may read the
    trigger's transition tables `new_rows` / `old_rows`) in one statement, after locking the
    table against the row-level recomputations (see the module's docstring)."""
    return f"""
LOCK TABLE operators_productday IN SHARE ROW EXCLUSIVE MODE;
WITH pairs AS (SELECT DISTINCT product_id, date FROM ({select_pairs}) AS touched),
{_best("pairs")},
gone AS (
    DELETE FROM operators_productday d USING pairs
    WHERE d.product_id = pairs.product_id AND d.date = pairs.date
      AND NOT EXISTS (
          SELECT 1 FROM best b
          WHERE b.product_id = d.product_id AND b.date = d.date AND b.remaining > 0
      )
){_UPSERT}"""


def _price_from(select_products: str | None) -> str:
    where = f"WHERE p.id IN ({select_products})" if select_products else ""
    return f"""
UPDATE operators_product p SET price_from = (
    SELECT r.retail_price FROM operators_rate r
    WHERE r.product_id = p.id
      AND (r.pax_category = 'unit' OR (r.pax_category = 'adult' AND r.unit_type_id IS NULL))
    ORDER BY r.min_group, r.retail_price
    LIMIT 1
) {where}"""


# A product row written by the application (a full save() of an object read earlier) must not
# put back an old price_from: a BEFORE trigger recomputes it on every write of the row.
_PRODUCT_KEEPS_PRICE = """
CREATE OR REPLACE FUNCTION operators_price_from_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.price_from := (
        SELECT r.retail_price FROM operators_rate r
        WHERE r.product_id = NEW.id
          AND (r.pax_category = 'unit' OR (r.pax_category = 'adult' AND r.unit_type_id IS NULL))
        ORDER BY r.min_group, r.retail_price
        LIMIT 1
    );
    RETURN NEW;
END $$;"""


def _function(name: str, statement: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {statement};
    RETURN NULL;
END $$;"""


# One (product, day), for the row-level triggers: locked, then two indexed lookups.
_REFRESH_ONE = f"""
CREATE OR REPLACE FUNCTION operators_pd_refresh(p bigint, d date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    best integer;
BEGIN
    LOCK TABLE operators_productday IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock({_PAIR_KEY.format(product="p", day="d")});
    SELECT MAX(remaining) INTO best FROM (
        SELECT MAX(s.capacity - s.sold - s.held) AS remaining FROM operators_slot s
        WHERE s.product_id = p AND s.date = d AND s.status = 'open'
        UNION ALL
        SELECT MAX(n.units - n.sold - n.held) FROM operators_nightinventory n
        JOIN operators_unittype u ON u.id = n.unit_type_id
        WHERE u.product_id = p AND n.date = d AND NOT n.closed
    ) AS live;
    IF best > 0 THEN
        INSERT INTO operators_productday (product_id, date, remaining) VALUES (p, d, best)
        ON CONFLICT (product_id, date) DO UPDATE SET remaining = EXCLUDED.remaining
        WHERE operators_productday.remaining IS DISTINCT FROM EXCLUDED.remaining;
    ELSE
        DELETE FROM operators_productday WHERE product_id = p AND date = d;
    END IF;
END $$;"""

_SLOT_ROW = """
CREATE OR REPLACE FUNCTION operators_pd_slot_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM operators_pd_refresh(NEW.product_id, NEW.date);
    IF (OLD.product_id, OLD.date) IS DISTINCT FROM (NEW.product_id, NEW.date) THEN
        PERFORM operators_pd_refresh(OLD.product_id, OLD.date);
    END IF;
    RETURN NULL;
END $$;"""

_NIGHT_ROW = """
CREATE OR REPLACE FUNCTION operators_pd_night_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM operators_pd_refresh(
        (SELECT product_id FROM operators_unittype WHERE id = NEW.unit_type_id), NEW.date
    );
    IF (OLD.unit_type_id, OLD.date) IS DISTINCT FROM (NEW.unit_type_id, NEW.date) THEN
        PERFORM operators_pd_refresh(
            (SELECT product_id FROM operators_unittype WHERE id = OLD.unit_type_id), OLD.date
        );
    END IF;
    RETURN NULL;
END $$;"""

# When a row-level trigger has anything to do: what is left, or whether it is open, changed.
_ROW_WHEN = {
    "operators_pd_slot_upd": (
        "OLD.capacity - OLD.sold - OLD.held IS DISTINCT FROM NEW.capacity - NEW.sold - NEW.held"
        " OR OLD.status IS DISTINCT FROM NEW.status OR OLD.date IS DISTINCT FROM NEW.date"
        " OR OLD.product_id IS DISTINCT FROM NEW.product_id"
    ),
    "operators_pd_night_upd": (
        "OLD.units - OLD.sold - OLD.held IS DISTINCT FROM NEW.units - NEW.sold - NEW.held"
        " OR OLD.closed IS DISTINCT FROM NEW.closed OR OLD.date IS DISTINCT FROM NEW.date"
        " OR OLD.unit_type_id IS DISTINCT FROM NEW.unit_type_id"
    ),
}

_SLOT_NEW = "SELECT product_id, date FROM new_rows"
_SLOT_OLD = "SELECT product_id, date FROM old_rows"
_NIGHT = "SELECT u.product_id, n.date FROM {} n JOIN operators_unittype u ON u.id = n.unit_type_id"

FUNCTIONS = [
    _REFRESH_ONE,
    _function("operators_pd_slot_ins", _refresh_pairs(_SLOT_NEW)),
    _SLOT_ROW,
    _function("operators_pd_slot_del", _refresh_pairs(_SLOT_OLD)),
    _function("operators_pd_night_ins", _refresh_pairs(_NIGHT.format("new_rows"))),
    _NIGHT_ROW,
    # A night deleted with its unit type (cascade) no longer names its product: the product
    # trigger below drops a deleted product's rows.
    _function("operators_pd_night_del", _refresh_pairs(_NIGHT.format("old_rows"))),
    _function("operators_price_from_ins", _price_from("SELECT product_id FROM new_rows")),
    _function(
        "operators_price_from_upd",
        _price_from("SELECT product_id FROM new_rows UNION SELECT product_id FROM old_rows"),
    ),
    _function("operators_price_from_del", _price_from("SELECT product_id FROM old_rows")),
    _PRODUCT_KEEPS_PRICE,
    _function(
        "operators_pd_product_del",
        "DELETE FROM operators_productday d USING old_rows o WHERE d.product_id = o.id",
    ),
]

_TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
    "DELETE": "OLD TABLE AS old_rows",
}
# (table, event, function)
TRIGGERS = [
    ("operators_slot", "INSERT", "operators_pd_slot_ins"),
    ("operators_slot", "UPDATE", "operators_pd_slot_upd"),
    ("operators_slot", "DELETE", "operators_pd_slot_del"),
    ("operators_nightinventory", "INSERT", "operators_pd_night_ins"),
    ("operators_nightinventory", "UPDATE", "operators_pd_night_upd"),
    ("operators_nightinventory", "DELETE", "operators_pd_night_del"),
    ("operators_rate", "INSERT", "operators_price_from_ins"),
    ("operators_rate", "UPDATE", "operators_price_from_upd"),
    ("operators_rate", "DELETE", "operators_price_from_del"),
    ("operators_product", "DELETE", "operators_pd_product_del"),
]

REBUILD = [
    "TRUNCATE operators_productday",
    f"WITH {_best(None)}{_UPSERT}",
    _price_from(None),
]


def install(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in FUNCTIONS:
            cursor.execute(statement)
        for table, event, function in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {function}_trg ON {table}")
            if function in _ROW_WHEN:
                cursor.execute(
                    f"CREATE TRIGGER {function}_trg AFTER {event} ON {table} FOR EACH ROW "
                    f"WHEN ({_ROW_WHEN[function]}) EXECUTE FUNCTION {function}()"
                )
                continue
            cursor.execute(
                f"CREATE TRIGGER {function}_trg AFTER {event} ON {table} "
                f"REFERENCING {_TRANSITIONS[event]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {function}()"
            )
        cursor.execute("DROP TRIGGER IF EXISTS operators_price_from_keep_trg ON operators_product")
        cursor.execute(
            "CREATE TRIGGER operators_price_from_keep_trg BEFORE INSERT OR UPDATE "
            "ON operators_product FOR EACH ROW EXECUTE FUNCTION operators_price_from_keep()"
        )
        for statement in REBUILD:
            cursor.execute(statement)


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, _event, function in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {function}_trg ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        cursor.execute("DROP TRIGGER IF EXISTS operators_price_from_keep_trg ON operators_product")
        cursor.execute("DROP FUNCTION IF EXISTS operators_price_from_keep()")
        cursor.execute("DROP FUNCTION IF EXISTS operators_pd_refresh(bigint, date)")


def enabled() -> bool:
    """Whether the read model is kept (PostgreSQL): the search uses it then."""
    return connection.vendor == "postgresql"


def rebuild() -> None:
    with connection.cursor() as cursor:
        for statement in REBUILD:
            cursor.execute(statement)


def differences(limit: int = 20) -> list[tuple]:
    """(product_id, date, stored, computed) where the read model differs from the counters,
    and (product_id, None, stored, computed) where a product's price_from does."""
    sql = f"""
    WITH {_best(None)}
    SELECT COALESCE(b.product_id, d.product_id), COALESCE(b.date, d.date), d.remaining,
           b.remaining
    FROM (SELECT * FROM best WHERE remaining > 0) b
    FULL OUTER JOIN operators_productday d ON d.product_id = b.product_id AND d.date = b.date
    WHERE d.remaining IS DISTINCT FROM b.remaining
    ORDER BY 1, 2 LIMIT %s
    """
    prices = """
    SELECT p.id, NULL, p.price_from, (
        SELECT r.retail_price FROM operators_rate r
        WHERE r.product_id = p.id
          AND (r.pax_category = 'unit' OR (r.pax_category = 'adult' AND r.unit_type_id IS NULL))
        ORDER BY r.min_group, r.retail_price LIMIT 1) AS computed
    FROM operators_product p
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        rows = list(cursor.fetchall())
        cursor.execute(
            f"SELECT * FROM ({prices}) x WHERE price_from IS DISTINCT FROM computed LIMIT %s",
            [limit],
        )
        return rows + list(cursor.fetchall())
