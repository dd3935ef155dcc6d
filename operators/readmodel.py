"""The availability search's read model, kept by PostgreSQL in the same transaction as the
counters it summarises.

- `operators_productday` (model ProductDay): per product and day, the most places one open
  slot or one open unit type still has; a row only where at least one place is left.
- `operators_product.price_from`: the cheapest adult or per-unit base rate of the smallest
  group band (what the catalogue shows as "from").

Statement-level triggers with transition tables recompute only the (product, day) pairs a
statement touched, set-based: a hold that changes one slot recomputes one row; generating a
year of slots recomputes its rows in one statement. Nothing in Python writes these columns, so
no write path (services, admin, bulk updates, raw SQL) can forget them.

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


def _refresh_pairs(select_pairs: str) -> str:
    """One statement: recompute the rows of the (product, day) pairs `select_pairs` yields
    (it may read the trigger's transition tables `new_rows` / `old_rows`)."""
    return f"""
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


_SLOT_NEW = "SELECT product_id, date FROM new_rows"
_SLOT_OLD = "SELECT product_id, date FROM old_rows"
_NIGHT = "SELECT u.product_id, n.date FROM {} n JOIN operators_unittype u ON u.id = n.unit_type_id"

FUNCTIONS = [
    _function("operators_pd_slot_ins", _refresh_pairs(_SLOT_NEW)),
    _function("operators_pd_slot_upd", _refresh_pairs(f"{_SLOT_NEW} UNION {_SLOT_OLD}")),
    _function("operators_pd_slot_del", _refresh_pairs(_SLOT_OLD)),
    _function("operators_pd_night_ins", _refresh_pairs(_NIGHT.format("new_rows"))),
    _function(
        "operators_pd_night_upd",
        _refresh_pairs(f"{_NIGHT.format('new_rows')} UNION {_NIGHT.format('old_rows')}"),
    ),
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
