"""Inventory counters: taken by one conditional UPDATE per row, in a fixed order (slots,
nights, stock, each by pk), as the last statements of the transaction; moved with F() under the
`sold + held <= capacity` constraint; a lock timeout is Busy."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from operators.models import (
    GoodsStock,
    NightInventory,
    Slot,
    SlotStatus,
)

from ..models import (
    Allocation,
    AllocationState,
)
from .allotment_hooks import give_back_to_allotments
from .errors import Busy, SoldOut

logger = logging.getLogger(__name__)


@dataclass
class _Need:
    """Inventory a line needs: kind ("slot", "night", "stock"), row id, quantity."""

    kind: str
    pk: int
    quantity: int


# --- locking helpers -----------------------------------------------------------------------

# Tests switch this off to show that the race test detects an oversell without the locks.
LOCKING_ENABLED = True


def _race_window():
    """A hook the canary test uses to widen the read-then-write window."""


def _lock_rows(model, pks):
    qs = model.objects.filter(pk__in=sorted(set(pks))).order_by("pk")
    if LOCKING_ENABLED:
        qs = qs.select_for_update()
    return {row.pk: row for row in qs}


# SQLite's result codes (sqlite3 exposes them as `sqlite_errorcode` on its exceptions).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CONSTRAINT_CHECK = 5, 6, 275
_SQLITE_CHECK_FAILED = "CHECK constraint failed: "
# The CheckConstraints of operators.models that refuse `sold + held > capacity`.
OVERSOLD_CONSTRAINTS = frozenset(
    {
        "slot_not_oversold",
        "night_not_oversold",
        "stock_not_oversold",
        "allotment_day_not_overdrawn",  # allotments: a day never gives more than it has
    }
)


def _is_lock_error(exc: Exception) -> bool:
    cause = getattr(exc, "__cause__", None)
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in ("55P03", "40P01", "40001"):  # lock_not_available, deadlock, serialization
        return True
    return getattr(cause, "sqlite_errorcode", None) in (_SQLITE_BUSY, _SQLITE_LOCKED)


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint an IntegrityError violated, from the driver's diagnostics:
    psycopg's `diag.constraint_name`; SQLite reports a failed CHECK by its extended result code
    and names the constraint after a fixed prefix of the engine (never translated)."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return diag.constraint_name
    if getattr(cause, "sqlite_errorcode", None) == _SQLITE_CONSTRAINT_CHECK:
        detail = str(cause)
        if detail.startswith(_SQLITE_CHECK_FAILED):
            return detail.removeprefix(_SQLITE_CHECK_FAILED).strip()
    return None


class _NoRoom(Exception):  # noqa: N818 - internal: becomes SoldOut once rolled back
    """A counter had no room when its UPDATE was sent with the COMMIT (`_take(commit=True)`):
    the transaction is aborted; `_run_locked` words the refusal after the rollback."""

    def __init__(self, wanted):
        super().__init__()
        self.wanted = wanted


def _run_locked(fn):
    """Run fn in a durable transaction; a lock timeout or deadlock becomes Busy."""
    with refusals(), transaction.atomic(durable=not _in_test_transaction()):
        return fn()


@contextmanager
def refusals():
    """What the database refused, as the engine's errors: no room left is SoldOut (worded
    after the rollback), a lock timeout or deadlock Busy. Wrap it around the transaction."""
    try:
        yield
    except _NoRoom as refused:
        raise _refusal(refused.wanted) from None
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise Busy() from exc
        raise
    except IntegrityError as exc:
        if violated_constraint(exc) in OVERSOLD_CONSTRAINTS:
            raise SoldOut(_NOT_ENOUGH()) from exc
        raise
    except DatabaseError as exc:
        if _is_lock_error(exc):
            raise Busy() from exc
        raise


def _in_test_transaction() -> bool:
    # pytest-django wraps non-transactional tests in a transaction; durable=True would refuse.
    from django.db import connection

    return connection.in_atomic_block


# The fixed order in which counters are taken (and locked) everywhere: kind, then pk. A
# package's fixed departure ("departure": its `booked_pax`) comes after its components.
_KIND_ORDER = {"slot": 0, "night": 1, "stock": 2, "departure": 3}


def _departure_model():
    from packages.models import Departure  # packages builds on bookings: imported late

    return Departure


def _departure_cancelled() -> str:
    from packages.models import DepartureStatus

    return DepartureStatus.CANCELLED


def _wanted(needs: list[_Need]) -> list[tuple[tuple[str, int], int]]:
    wanted: dict[tuple[str, int], int] = {}
    for need in needs:
        wanted[(need.kind, need.pk)] = wanted.get((need.kind, need.pk), 0) + need.quantity
    return sorted(wanted.items(), key=lambda item: (_KIND_ORDER[item[0][0]], item[0][1]))


def _room_left(kind: str, pk: int, quantity: int):
    """The condition of one conditional UPDATE: the row is open for sale and has room."""
    after = F("sold") + F("held") + quantity
    if kind == "slot":
        return Slot.objects.filter(pk=pk, status=SlotStatus.OPEN, capacity__gte=after)
    if kind == "night":
        return NightInventory.objects.filter(pk=pk, closed=False, units__gte=after)
    if kind == "departure":
        return (
            _departure_model()
            .objects.filter(pk=pk, capacity__gte=F("booked_pax") + quantity)
            .exclude(status=_departure_cancelled())
        )
    return GoodsStock.objects.filter(pk=pk, quantity__gte=after)


def _sold_out(kind: str, row, quantity: int) -> Exception:
    """The refusal, worded from the row as it is (read without a lock)."""
    if kind == "departure":  # as packages.services.departure_take_pax words it
        from django.core.exceptions import ValidationError

        from packages.services import DepartureFull

        if row.status == _departure_cancelled():
            return ValidationError({"departure": _("This departure is cancelled.")})
        return DepartureFull(_("Only %(n)s places left on this departure.") % {"n": row.available})
    if kind == "slot":
        when = timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M")
        if row.status != SlotStatus.OPEN:
            return SoldOut(
                _("%(product)s on %(when)s is closed.") % {"product": row.product, "when": when}
            )
        left = row.capacity - row.sold - row.held
        return SoldOut(
            _("Only %(left)s places left on %(when)s.") % {"left": max(left, 0), "when": when}
        )
    if kind == "night":
        left = 0 if row.closed else row.units - row.sold - row.held
        return SoldOut(
            _("Only %(left)s units left on the night of %(date)s.")
            % {"left": max(left, 0), "date": row.date.isoformat()}
        )
    left = row.quantity - row.sold - row.held
    return SoldOut(_("Only %(left)s left in stock.") % {"left": max(left, 0)})


def _take(needs: list[_Need], *, as_state: str, commit: bool = False) -> None:
    """Add `held` (or `sold`) to each counter the needs name with one conditional UPDATE per
    row, in the fixed order (kind, pk): the row is locked from that statement to COMMIT, so
    callers take the counters last. A row without room raises SoldOut and the caller's
    transaction rolls back; the CHECK constraints stay as the last guard.

    `commit=True` (the last statement of an outermost `_run_locked` transaction): on
    PostgreSQL the UPDATEs and the COMMIT go to the server in one round trip, so a counter's
    row lock lasts for the server's work only, not for a trip back to this process and its
    wait for the CPU. A row without room then raises SQLSTATE PDL01 (`bookings_no_room()`,
    bookings migration 0009) and the COMMIT after it never runs."""
    wanted = _wanted(needs)
    if not LOCKING_ENABLED:  # the unsafe read-then-write path, only for the canary test
        for (kind, pk), quantity in wanted:
            _take_unsafely(kind, pk, quantity, as_state)
        return
    if not wanted:
        return
    if commit and _outermost_on_postgresql():
        statements, params = guarded_takes(wanted, as_state)
        run_guarded([*statements, "COMMIT"], params, wanted)
        return
    with connection.cursor() as cursor:
        for (kind, pk), quantity in wanted:
            cursor.execute(_take_sql(kind, as_state, guarded=False), [quantity, pk, quantity])
            if cursor.rowcount != 1:
                raise _sold_out(kind, _model_of(kind).objects.get(pk=pk), quantity)


def guarded_takes(wanted, as_state: str) -> tuple[list[str], list]:
    """The guarded UPDATEs (PostgreSQL) of `wanted` (`_wanted`'s order) and their params."""
    statements, params = [], []
    for (kind, pk), quantity in wanted:
        statements.append(_take_sql(kind, as_state, guarded=True))
        params += [quantity, pk, quantity]
    return statements, params


def run_guarded(statements: list[str], params: list, wanted) -> None:
    """Send `statements` in one round trip; a guarded take without room raises `_NoRoom`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("; ".join(statements), params)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == NO_ROOM:
            raise _NoRoom(wanted) from exc
        raise


# The SQLSTATE `bookings_no_room()` raises (bookings migration 0009).
NO_ROOM = "PDL01"


def _take_sql(kind: str, as_state: str, *, guarded: bool) -> str:
    """The conditional UPDATE of one counter row as fixed SQL, params (quantity, pk,
    quantity): it adds the places only while the row is open and has room. `guarded`: a
    statement that raises NO_ROOM instead of changing no row (PostgreSQL)."""
    key = (kind, as_state, guarded)
    if key not in _TAKE_SQL:
        counter = "booked_pax" if kind == "departure" else as_state
        assert counter in ("held", "sold", "booked_pax")
        condition = {
            "slot": f"status = '{SlotStatus.OPEN}' AND capacity >= sold + held + %s",
            "night": "NOT closed AND units >= sold + held + %s",
            "stock": "quantity >= sold + held + %s",
            "departure": f"status <> '{_departure_cancelled()}' AND capacity >= booked_pax + %s",
        }[kind]
        table = _model_of(kind)._meta.db_table
        sql = f'UPDATE "{table}" SET {counter} = {counter} + %s WHERE id = %s AND {condition}'
        if guarded:
            sql = (
                f"WITH taken AS ({sql} RETURNING 1) "
                "SELECT bookings_no_room() WHERE NOT EXISTS (SELECT FROM taken)"
            )
        _TAKE_SQL[key] = sql
    return _TAKE_SQL[key]


_TAKE_SQL: dict[tuple, str] = {}


def _outermost_on_postgresql() -> bool:
    """Inside one outermost transaction (no savepoint, not a test's wrapping transaction) on
    PostgreSQL: where a COMMIT sent by `_take` ends exactly the caller's transaction."""
    return (
        connection.vendor == "postgresql"
        and len(connection.atomic_blocks) == 1
        and not connection.savepoint_ids
    )


def _refusal(wanted) -> Exception:
    """The refusal of a take that found no room, worded from the first row (in the order they
    were taken) that has no room now; read after the rollback, without a lock."""
    for (kind, pk), quantity in wanted:
        row = _model_of(kind).objects.filter(pk=pk).first()
        if row is None or not _room_left(kind, pk, quantity).exists():
            return _sold_out(kind, row, quantity) if row else SoldOut(_NOT_ENOUGH())
    return SoldOut(_NOT_ENOUGH())  # freed in the meantime: the attempt may be repeated


def _NOT_ENOUGH() -> str:  # noqa: N802 - a translated constant, worded in the active language
    return _("Sold out: not enough places left.")


def _model_of(kind: str):
    return _departure_model() if kind == "departure" else _MODEL_OF[kind]


def _take_unsafely(kind: str, pk: int, quantity: int, as_state: str) -> None:
    if kind == "departure":
        as_state = "booked_pax"
    row = _model_of(kind).objects.get(pk=pk)
    free = _room_left(kind, pk, quantity).exists()
    if not free:
        raise _sold_out(kind, row, quantity)
    _race_window()
    setattr(row, as_state, getattr(row, as_state) + quantity)
    row.save(update_fields=[as_state])


def _allocation_need(allocation: Allocation) -> _Need:
    if allocation.slot_id:
        return _Need("slot", allocation.slot_id, allocation.quantity)
    if allocation.night_id:
        return _Need("night", allocation.night_id, allocation.quantity)
    return _Need("stock", allocation.stock_id, allocation.quantity)


_MODEL_OF = {"slot": Slot, "night": NightInventory, "stock": GoodsStock}


def _move(allocations: list[Allocation], *, from_state: str, to_state: str | None) -> None:
    """Held -> sold (to_state="sold") or release (to_state=None) the given allocations,
    locking their rows in the fixed order first."""
    needs = [_allocation_need(a) for a in allocations]
    for kind, model in _MODEL_OF.items():
        _lock_rows(model, [n.pk for n in needs if n.kind == kind])
    for need in sorted(needs, key=lambda n: (n.kind, n.pk)):
        changes = {from_state: F(from_state) - need.quantity}
        if to_state:
            changes[to_state] = F(to_state) + need.quantity
        _MODEL_OF[need.kind].objects.filter(pk=need.pk).update(**changes)
    new_state = AllocationState.SOLD if to_state == "sold" else AllocationState.RELEASED
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(state=new_state)
    if to_state is None:
        give_back_to_allotments(allocations=allocations)
