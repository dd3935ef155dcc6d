"""Inventory counters: rows locked in a fixed order (slots, nights, stock, each by pk),
counters changed with F() under the `sold + held <= capacity` constraint; a lock timeout is Busy."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, OperationalError, transaction
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


def _run_locked(fn):
    """Run fn in a durable transaction; a lock timeout or deadlock becomes Busy."""
    try:
        with transaction.atomic(durable=not _in_test_transaction()):
            return fn()
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise Busy() from exc
        raise
    except IntegrityError as exc:
        if violated_constraint(exc) in OVERSOLD_CONSTRAINTS:
            raise SoldOut(_("Sold out: not enough places left.")) from exc
        raise
    except DatabaseError as exc:
        if _is_lock_error(exc):
            raise Busy() from exc
        raise


def _in_test_transaction() -> bool:
    # pytest-django wraps non-transactional tests in a transaction; durable=True would refuse.
    from django.db import connection

    return connection.in_atomic_block


def _take(needs: list[_Need], *, as_state: str) -> dict:
    """Lock the rows in a fixed order, check what is left, and add `held` (or `sold`)."""
    slots = _lock_rows(Slot, [n.pk for n in needs if n.kind == "slot"])
    nights = _lock_rows(NightInventory, [n.pk for n in needs if n.kind == "night"])
    stocks = _lock_rows(GoodsStock, [n.pk for n in needs if n.kind == "stock"])
    wanted: dict[tuple[str, int], int] = {}
    for need in needs:
        wanted[(need.kind, need.pk)] = wanted.get((need.kind, need.pk), 0) + need.quantity
    for (kind, pk), quantity in wanted.items():
        if kind == "slot":
            row = slots[pk]
            if row.status != SlotStatus.OPEN:
                raise SoldOut(
                    _("%(product)s on %(when)s is closed.")
                    % {
                        "product": row.product,
                        "when": timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M"),
                    }
                )
            left = row.capacity - row.sold - row.held
            if left < quantity:
                raise SoldOut(
                    _("Only %(left)s places left on %(when)s.")
                    % {
                        "left": max(left, 0),
                        "when": timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M"),
                    }
                )
        elif kind == "night":
            row = nights[pk]
            left = 0 if row.closed else row.units - row.sold - row.held
            if left < quantity:
                raise SoldOut(
                    _("Only %(left)s units left on the night of %(date)s.")
                    % {"left": max(left, 0), "date": row.date.isoformat()}
                )
        else:
            row = stocks[pk]
            left = row.quantity - row.sold - row.held
            if left < quantity:
                raise SoldOut(_("Only %(left)s left in stock.") % {"left": max(left, 0)})
    models = {
        "slot": (Slot, slots),
        "night": (NightInventory, nights),
        "stock": (GoodsStock, stocks),
    }
    for (kind, pk), quantity in sorted(wanted.items()):
        model, rows = models[kind]
        if LOCKING_ENABLED:
            model.objects.filter(pk=pk).update(**{as_state: F(as_state) + quantity})
        else:  # the unsafe read-then-write path, only for the canary test
            _race_window()
            row = rows[pk]
            setattr(row, as_state, getattr(row, as_state) + quantity)
            row.save(update_fields=[as_state])
    return {"slot": slots, "night": nights, "stock": stocks}


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
