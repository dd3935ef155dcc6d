"""The daily reconciliation: the ledger's card rows of a day against Stripe's charges and
refunds created that day. Every difference is listed: an object in Stripe missing from the
ledger, a ledger row Stripe does not know, or different amounts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from .gateway import is_local_stripe, stripe_client, to_cents
from .models import EntryKind, LedgerEntry, Method, ReconciliationReport
from .refunds import refunds_failed_open

CHARGE_KINDS = (EntryKind.CHARGE, EntryKind.DEPOSIT, EntryKind.BALANCE)


def _bounds(day: date) -> tuple[int, int]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    return int(start.timestamp()), int(end.timestamp())


def _list_all(resource, params: dict) -> list:
    items, starting_after = [], None
    while True:
        page_params = dict(params, limit=100)
        if starting_after:
            page_params["starting_after"] = starting_after
        page = resource.list(params=page_params)
        items.extend(page.data)
        if not page.has_more or not page.data:
            return items
        starting_after = page.data[-1]["id"]


def stripe_objects_of_day(day: date) -> tuple[dict, dict]:
    """({charge id: captured cents}, {refund id: cents}) created on the day (local time)."""
    start, end = _bounds(day)
    client = stripe_client()
    if is_local_stripe():  # localstripe filters charges by created[gt] only, refunds not at all
        charges = _list_all(client.v1.charges, {"created": {"gt": start - 1}})
        refunds = _list_all(client.v1.refunds, {})
    else:
        charges = _list_all(client.v1.charges, {"created": {"gte": start, "lt": end}})
        refunds = _list_all(client.v1.refunds, {"created": {"gte": start, "lt": end}})
    charge_map = {
        c["id"]: int(c["amount"])
        for c in charges
        if start <= int(c["created"]) < end and c["status"] == "succeeded" and c["captured"]
    }
    refund_map = {
        r["id"]: int(r["amount"])
        for r in refunds
        if start <= int(r["created"]) < end and r["status"] in ("succeeded", "pending")
    }
    return charge_map, refund_map


def reconcile_day(*, day: date) -> ReconciliationReport:
    charges, refunds = stripe_objects_of_day(day)
    rows = LedgerEntry.objects.filter(booked_on=day, method=Method.CARD, is_demo=False).exclude(
        stripe_id=""
    )
    ledger_charges = {e.stripe_id: e.amount_cents for e in rows.filter(kind__in=CHARGE_KINDS)}
    ledger_refunds = {e.stripe_id: -e.amount_cents for e in rows.filter(kind=EntryKind.REFUND)}
    differences = []
    for label, stripe_side, ledger_side in (
        ("charge", charges, ledger_charges),
        ("refund", refunds, ledger_refunds),
    ):
        for object_id in sorted(set(stripe_side) | set(ledger_side)):
            in_stripe, in_ledger = stripe_side.get(object_id), ledger_side.get(object_id)
            if in_stripe == in_ledger:
                continue
            problem = (
                "missing_in_ledger"
                if in_ledger is None
                else "missing_in_stripe"
                if in_stripe is None
                else "amount_differs"
            )
            differences.append(
                {
                    "object": label,
                    "id": object_id,
                    "stripe_cents": in_stripe,
                    "ledger_cents": in_ledger,
                    "problem": problem,
                }
            )
    # A refund Stripe refused is money the buyer is still owed: never "matches".
    start, end = _bounds(day)
    for refund in (
        refunds_failed_open()
        .filter(
            created_at__gte=datetime.fromtimestamp(start, tz=UTC),
            created_at__lt=datetime.fromtimestamp(end, tz=UTC),
        )
        .select_related("booking")
    ):
        differences.append(
            {
                "object": "refund",
                "id": f"refund-{refund.pk} ({refund.booking.reference})",
                "stripe_cents": None,
                "ledger_cents": None,
                "problem": "refund_failed",
                "amount_cents": to_cents(refund.amount),
                "message": refund.failure_message,
            }
        )
    stripe_cents = sum(charges.values()) - sum(refunds.values())
    ledger_cents = sum(ledger_charges.values()) - sum(ledger_refunds.values())
    report, _created = ReconciliationReport.objects.update_or_create(
        day=day,
        defaults={
            "stripe_cents": stripe_cents,
            "ledger_cents": ledger_cents,
            "differences": differences,
        },
    )
    return report
