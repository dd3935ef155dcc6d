"""Operator payouts: each confirmed booking line accrues the operator's net amount; after
the service date (or redemption) it becomes payable; a payout run groups payable amounts
per operator and pays them by a SEPA credit transfer file (pain.001) or by Stripe Connect
transfers. Paid amounts become `payout` and `commission` ledger rows."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import bic as std_bic
from stdnum import iban as std_iban

from bookings.models import Booking, BookingLine, BookingStatus, LineKind, LineStatus
from marketplace.amounts import amount_text
from operators.pricing import money

from .gateway import to_cents
from .ledger import ledger_record
from .models import (
    AttentionItem,
    EntryKind,
    Method,
    OperatorPayable,
    PayableKind,
    PayableStatus,
    PayoutItem,
    PayoutItemStatus,
    PayoutProfile,
    PayoutRun,
    PayoutRunStatus,
)
from .selectors import payables_payable_now

logger = logging.getLogger(__name__)

PAID_BOOKING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def _service_earned_on(line: BookingLine) -> date:
    """The day a service's net amount is owed: its last day, or an earlier redemption."""
    served = line.end_date or line.service_date
    if line.redeemed_at is not None:
        return min(served, timezone.localdate(line.redeemed_at))
    return served


def penalty_share(line: BookingLine) -> tuple[Decimal, Decimal]:
    """The operator's (net, commission) share of the penalty of a cancelled line. The
    penalty is split as the sale was: the line's net and commission, frozen from the
    operator's contract when it was booked, times penalty / retail of the line that carries
    the penalty (a package component follows its package line)."""
    top = line.parent if line.parent_id else line
    if top.retail_amount <= 0 or top.penalty_amount <= 0:
        return Decimal("0.00"), Decimal("0.00")
    fraction = min(top.penalty_amount / top.retail_amount, Decimal("1"))
    return money(line.net_amount * fraction), money(line.commission_amount * fraction)


def _target(booking: Booking, line: BookingLine) -> tuple[Decimal, Decimal, str]:
    """What the operator is owed for the line now: (net, commission, why)."""
    cancelled = line.status == LineStatus.CANCELLED or booking.status == BookingStatus.CANCELLED
    if not cancelled and booking.status in PAID_BOOKING_STATUSES:
        return money(line.net_amount), money(line.commission_amount), ""
    if cancelled and booking.confirmed_at is not None:
        net, commission = penalty_share(line)
        return net, commission, PENALTY_NOTE
    return Decimal("0.00"), Decimal("0.00"), ""


PENALTY_NOTE = "penalty_share"
OPEN = (PayableStatus.ACCRUED, PayableStatus.PAYABLE)
FROZEN = (PayableStatus.IN_RUN, PayableStatus.PAID)


def payables_sync(*, booking_id: int, today: date | None = None) -> None:
    """Make the booking's payables follow its lines (idempotent): one per supplier line of a
    confirmed booking, holding its net amount; a cancelled line's payable holds the
    operator's share of the penalty (nothing without a penalty). Once a payable is in a run
    or paid it is never rewritten: the difference becomes an adjustment row, payable now
    (negative: deducted from the next payout)."""
    today = today or timezone.localdate()
    booking = Booking.objects.get(pk=booking_id)
    lines = (
        BookingLine.objects.filter(booking=booking, supplier__isnull=False)
        .exclude(kind=LineKind.PACKAGE)
        .select_related("parent")
    )
    with transaction.atomic():
        existing: dict[int, list[OperatorPayable]] = {}
        for p in OperatorPayable.objects.select_for_update().filter(booking=booking).order_by("pk"):
            existing.setdefault(p.line_id, []).append(p)
        for line in lines:
            _sync_line(booking, line, existing.get(line.pk, []), today)


def _sync_line(booking, line, payables: list[OperatorPayable], today: date) -> None:
    net, commission, why = _target(booking, line)
    service = next((p for p in payables if p.kind == PayableKind.SERVICE), None)
    frozen = [p for p in payables if p.status in FROZEN]
    if service is None:
        if net or commission:
            OperatorPayable.objects.create(
                line=line,
                booking=booking,
                operator_id=line.supplier_id,
                amount=net,
                commission=commission,
                service_date=line.end_date or line.service_date,
                earned_on=today if why else _service_earned_on(line),
                status=PayableStatus.PAYABLE if why else PayableStatus.ACCRUED,
                note=why,
            )
        return
    if not frozen:
        if not (net or commission):
            if service.status != PayableStatus.CANCELLED:
                service.status = PayableStatus.CANCELLED
                service.save(update_fields=["status", "updated_at"])
            return
        changed = {
            "amount": net,
            "commission": commission,
            "service_date": line.end_date or line.service_date,
            "note": why,
            "earned_on": (service.earned_on if service.note == why else today)
            if why
            else _service_earned_on(line),
        }
        if why:  # the penalty share is owed now
            changed["status"] = PayableStatus.PAYABLE
        elif service.status == PayableStatus.CANCELLED:
            changed["status"] = PayableStatus.ACCRUED
        fields = [k for k, v in changed.items() if getattr(service, k) != v]
        if fields:
            for key in fields:
                setattr(service, key, changed[key])
            service.save(update_fields=[*fields, "updated_at"])
        return
    # Something was paid or is being paid: the difference is an adjustment.
    paid_net = sum((p.amount for p in frozen), Decimal("0"))
    paid_commission = sum((p.commission for p in frozen), Decimal("0"))
    delta, delta_commission = net - paid_net, commission - paid_commission
    adjustment = next(
        (p for p in payables if p.kind == PayableKind.ADJUSTMENT and p.status in OPEN), None
    )
    note = ADJUSTMENT_NOTES["cancellation" if why else "amendment"]
    if adjustment is None and not (delta or delta_commission):
        return
    if adjustment is None:
        adjustment = OperatorPayable.objects.create(
            line=line,
            booking=booking,
            operator_id=line.supplier_id,
            kind=PayableKind.ADJUSTMENT,
            amount=delta,
            commission=delta_commission,
            service_date=line.end_date or line.service_date,
            earned_on=today,
            status=PayableStatus.PAYABLE,
            note=note,
        )
    elif delta or delta_commission:
        adjustment.amount, adjustment.commission, adjustment.note = delta, delta_commission, note
        adjustment.save(update_fields=["amount", "commission", "note", "updated_at"])
    else:
        adjustment.status = PayableStatus.CANCELLED
        adjustment.save(update_fields=["status", "updated_at"])
        return
    if delta < 0:
        AttentionItem.objects.get_or_create(
            booking=booking,
            organisation_id=line.supplier_id,
            reason="payout_after_cancellation",
            resolved_at=None,
            defaults={
                "message": _(
                    "Line “%(line)s” changed after its payout was prepared or made: "
                    "%(amount)s EUR are deducted from the operator's next payout."
                )
                % {"line": line.title, "amount": -delta}
            },
        )


ADJUSTMENT_NOTES = {"amendment": "amendment", "cancellation": "cancellation_after_payout"}


def payables_release_due(*, today: date | None = None) -> int:
    """Accrued amounts become payable after the service date or once redeemed (owed from
    the redemption day when it came first)."""
    today = today or timezone.localdate()
    rows = list(
        OperatorPayable.objects.filter(
            Q(service_date__lt=today) | Q(line__redeemed_at__isnull=False),
            status=PayableStatus.ACCRUED,
            booking__status__in=PAID_BOOKING_STATUSES,
        ).select_related("line")
    )
    now = timezone.now()
    for payable in rows:
        payable.status = PayableStatus.PAYABLE
        if payable.kind == PayableKind.SERVICE:
            payable.earned_on = _service_earned_on(payable.line)
        payable.updated_at = now
    OperatorPayable.objects.bulk_update(rows, ["status", "earned_on", "updated_at"])
    return len(rows)


def valid_iban(value: str) -> bool:
    return bool(value) and std_iban.is_valid(value)


def payout_run_create(*, actor=None, execution_date: date | None = None) -> PayoutRun:
    """Group the payable amounts per operator. An operator without a connected account and
    without a valid IBAN is left out (logged, on the attention list); its amounts stay
    payable."""
    execution_date = execution_date or timezone.localdate()
    with transaction.atomic():
        payables = list(
            payables_payable_now()
            .select_for_update()
            .select_related("operator")
            .order_by("operator_id", "pk")
        )
        by_operator: dict[int, list[OperatorPayable]] = {}
        for payable in payables:
            by_operator.setdefault(payable.operator_id, []).append(payable)
        if not by_operator:
            raise ValidationError({"run": _("Nothing is payable to operators right now.")})
        run = PayoutRun.objects.create(created_by=actor, execution_date=execution_date)
        skipped = []
        profiles = {
            p.organisation_id: p
            for p in PayoutProfile.objects.filter(organisation_id__in=by_operator.keys())
        }
        for operator_id, items in by_operator.items():
            operator = items[0].operator
            profile = profiles.get(operator_id)
            amount = sum((p.amount for p in items), Decimal("0"))
            commission = sum((p.commission for p in items), Decimal("0"))
            if amount <= 0:
                continue
            if profile and profile.stripe_account_id:
                method, iban = Method.CONNECT, ""
            elif valid_iban(operator.iban):
                method, iban = Method.SEPA, std_iban.compact(operator.iban)
            else:
                message = _("%(op)s has no valid IBAN: %(amount)s EUR not paid out.") % {
                    "op": operator.name,
                    "amount": amount_text(amount),
                }
                logger.warning("payout run %s: %s", run.pk, message)
                skipped.append({"operator": operator.name, "amount": str(amount)})
                AttentionItem.objects.create(
                    organisation=operator, reason="payout_no_iban", message=message
                )
                continue
            item = PayoutItem.objects.create(
                run=run,
                operator=operator,
                method=method,
                amount=amount,
                commission=commission,
                iban=iban,
                stripe_account_id=profile.stripe_account_id if profile else "",
            )
            OperatorPayable.objects.filter(pk__in=[p.pk for p in items]).update(
                status=PayableStatus.IN_RUN, payout_item=item, updated_at=timezone.now()
            )
        run.skipped = skipped
        run.save(update_fields=["skipped"])
        empty = not run.items.exists()
        if empty:
            run.delete()  # the attention items stay: nothing is skipped silently
    if empty:
        raise ValidationError(
            {"run": _("No operator with payable amounts has a valid IBAN or account.")}
        )
    return run


def _dmc_account() -> dict:
    return {
        "name": getattr(settings, "DMC_NAME", "Piana di Lucca DMC"),
        "IBAN": getattr(settings, "DMC_IBAN", "IT60X0542811101000000123456"),
        "BIC": getattr(settings, "DMC_BIC", "BPMOIT22XXX"),
    }


def payout_run_sepa_xml(*, run: PayoutRun) -> bytes:
    """The pain.001.001.03 file of the run's SEPA items, for finance to upload to the bank."""
    from sepaxml import SepaTransfer

    account = _dmc_account()
    if not valid_iban(account["IBAN"]):
        raise ValidationError({"iban": _("The DMC's own IBAN is not valid.")})
    config = {
        "name": account["name"][:70],
        "IBAN": std_iban.compact(account["IBAN"]),
        "BIC": account["BIC"] if std_bic.is_valid(account["BIC"]) else None,
        "batch": True,
        "currency": "EUR",
    }
    if not config["BIC"]:
        config.pop("BIC")
    sepa = SepaTransfer(config, schema="pain.001.001.03", clean=True)
    items = run.items.filter(method=Method.SEPA).select_related("operator")
    if not items:
        raise ValidationError({"run": _("This run has no SEPA transfers.")})
    for item in items:
        if not valid_iban(item.iban):
            raise ValidationError({"iban": _("%(op)s: invalid IBAN.") % {"op": item.operator.name}})
        sepa.add_payment(
            {
                "name": item.operator.legal_name or item.operator.name,
                "IBAN": item.iban,
                "amount": to_cents(item.amount),
                "execution_date": run.execution_date,
                "description": f"Piana di Lucca payout {run.pk}-{item.pk}",
                "endtoend_id": f"PDL{run.pk}X{item.pk}",
            }
        )
    xml = sepa.export(validate=True)
    if not run.sepa_message_id:
        run.sepa_message_id = sepa.msg_id[:35]
        run.save(update_fields=["sepa_message_id"])
    return xml


def _item_paid(item: PayoutItem, *, stripe_id: str = "", actor=None) -> None:
    item.status = PayoutItemStatus.PAID
    item.stripe_transfer_id = stripe_id
    item.save(update_fields=["status", "stripe_transfer_id"])
    ledger_record(
        kind=EntryKind.PAYOUT,
        method=item.method,
        amount_cents=-to_cents(item.amount),
        counterparty=item.operator,
        stripe_id=stripe_id,
        external_ref="" if stripe_id else f"payout-item:{item.pk}",
        payout_item=item,
        actor=actor,
        note=_("Payout run %(run)s") % {"run": item.run_id},
    )
    if item.commission:
        ledger_record(
            kind=EntryKind.COMMISSION,
            method=item.method,
            amount_cents=to_cents(item.commission),
            counterparty=item.operator,
            external_ref=f"commission-item:{item.pk}",
            payout_item=item,
            actor=actor,
            note=_("Commission retained, payout run %(run)s") % {"run": item.run_id},
        )
    item.payables.update(status=PayableStatus.PAID, updated_at=timezone.now())


def payout_run_pay_connect(*, run: PayoutRun, actor=None, http_client=None) -> int:
    """Transfer the Connect items of the run now (each with an idempotency key)."""
    from .connect import transfer_to_connected_account

    paid = 0
    for item in run.items.filter(method=Method.CONNECT, status=PayoutItemStatus.PENDING):
        try:
            transfer = transfer_to_connected_account(
                amount_cents=to_cents(item.amount),
                destination=item.stripe_account_id,
                transfer_group=f"payout-run-{run.pk}",
                idempotency_key=f"payout-item-{item.pk}",
                http_client=http_client,
            )
        except stripe.StripeError as exc:
            PayoutItem.objects.filter(pk=item.pk).update(
                status=PayoutItemStatus.FAILED, error=str(exc)[:300]
            )
            logger.error("Connect transfer for payout item %s failed: %s", item.pk, exc)
            continue
        with transaction.atomic():
            _item_paid(item, stripe_id=transfer["id"], actor=actor)
        paid += 1
    _close_if_done(run)
    return paid


def payout_run_mark_paid(*, run: PayoutRun, actor=None) -> PayoutRun:
    """Finance confirms that the bank executed the SEPA file."""
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if run.status == PayoutRunStatus.PAID:
            return run
        for item in run.items.select_for_update().filter(
            method=Method.SEPA, status=PayoutItemStatus.PENDING
        ):
            _item_paid(item, actor=actor)
        _close_if_done(run)
        return run


def _close_if_done(run: PayoutRun) -> None:
    if not run.items.filter(status=PayoutItemStatus.PENDING).exists():
        PayoutRun.objects.filter(pk=run.pk).update(
            status=PayoutRunStatus.PAID, paid_at=timezone.now()
        )


def payout_totals(run: PayoutRun) -> dict:
    return run.items.aggregate(amount=Sum("amount"), commission=Sum("commission"))
