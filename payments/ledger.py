"""Writing ledger rows. Every money movement goes through `ledger_record`; nothing updates
or deletes a row. Reads (balances, reports) are in selectors.py."""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import LedgerEntry

logger = logging.getLogger(__name__)


def ledger_record(
    *,
    kind: str,
    method: str,
    amount_cents: int,
    booking=None,
    counterparty=None,
    counterparty_label: str = "",
    stripe_id: str = "",
    external_ref: str = "",
    payment=None,
    refund=None,
    payout_item=None,
    note: str = "",
    booked_on: date | None = None,
    actor=None,
    is_demo: bool = False,
) -> LedgerEntry | None:
    """Add one row; a Stripe object or external reference already recorded under the same kind
    is refused by the database and returns None (the caller's transaction stays usable)."""
    if booking is not None and counterparty is None and not counterparty_label:
        counterparty = booking.buyer_organisation
        counterparty_label = booking.contact_name
    entry = LedgerEntry(
        kind=kind,
        method=method,
        amount_cents=int(amount_cents),
        booking=booking,
        counterparty=counterparty,
        counterparty_label=(counterparty_label or str(counterparty or ""))[:200],
        stripe_id=stripe_id or "",
        external_ref=external_ref or "",
        payment=payment,
        refund=refund,
        payout_item=payout_item,
        note=note[:300],
        booked_on=booked_on or timezone.localdate(),
        created_by=actor if getattr(actor, "pk", None) else None,
        is_demo=is_demo,
    )
    entry.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        logger.info(
            "ledger: %s %s already recorded, nothing added", kind, stripe_id or external_ref
        )
        return None
    return entry
