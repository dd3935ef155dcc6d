"""Rates and seasons: prices follow the operator's contract with the DMC.

A price that leaves the DMC less than the contract's commission is not applied: it becomes a
pending `RateChange` that the DMC approves or rejects in the curation desk, and the rate in
force (if any) stays until then. Two rates that would both apply to the same booking (same
unit type, pax category and season, overlapping weekdays, group and age bands) are refused:
the pricing engine could only pick one of them silently."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.amounts import amount_text

from .models import (
    OperatorContract,
    Product,
    Rate,
    RateChange,
    RateChangeStatus,
    Season,
    UnitType,
)
from .pricing import money

RATE_FIELDS = (
    "unit_type",
    "season",
    "pax_category",
    "age_min",
    "age_max",
    "weekdays",
    "min_group",
    "max_group",
    "retail_price",
    "net_price",
)


def default_commission(organisation) -> Decimal:
    contract = OperatorContract.objects.filter(organisation=organisation).first()
    return (
        contract.commission_percent
        if contract
        else OperatorContract._meta.get_field("commission_percent").default
    )


def net_from_retail(*, organisation, retail: Decimal) -> Decimal:
    """The operator's net under the contract: retail less the contract's commission."""
    commission = default_commission(organisation)
    return money(Decimal(retail) * (Decimal("100") - commission) / Decimal("100"))


def commission_below_contract(*, organisation, retail: Decimal, net: Decimal) -> bool:
    """Whether this net leaves the DMC less than the contract's commission on this retail."""
    return money(net) > net_from_retail(organisation=organisation, retail=retail)


def _bands_overlap(low_a, high_a, low_b, high_b) -> bool:
    """Closed intervals with an open end as None."""
    return (high_b is None or low_a <= high_b) and (high_a is None or low_b <= high_a)


def overlapping_rate(*, product: Product, rate: Rate) -> Rate | None:
    """Another rate of the product that would apply to the same booking as `rate`."""
    candidates = Rate.objects.filter(
        product=product,
        unit_type_id=rate.unit_type_id,
        season_id=rate.season_id,
        pax_category=rate.pax_category,
    ).exclude(pk=rate.pk)
    for other in candidates.select_related("season").order_by("pk"):
        if not set(other.weekdays) & set(rate.weekdays):
            continue
        if not _bands_overlap(other.min_group, other.max_group, rate.min_group, rate.max_group):
            continue
        if not _bands_overlap(other.age_min or 0, other.age_max, rate.age_min or 0, rate.age_max):
            continue
        return other
    return None


def _refuse_overlap(product: Product, rate: Rate) -> None:
    other = overlapping_rate(product=product, rate=rate)
    if other is None:
        return
    raise ValidationError(
        {
            "weekdays": ValidationError(
                _(
                    "This price overlaps an existing one (%(category)s, %(season)s, "
                    "€ %(retail)s): the same guests on the same day would match both. "
                    "Change that price instead, or narrow the weekdays, group or age band."
                )
                % {
                    "category": other.get_pax_category_display(),
                    "season": other.season.name if other.season_id else _("all year"),
                    "retail": amount_text(other.retail_price),
                },
                code="rate_overlap",
            )
        }
    )


def _ownership_checks(product: Product, rate: Rate) -> None:
    errors = {}
    if rate.unit_type_id and rate.unit_type.product_id != product.pk:
        errors["unit_type"] = _("This unit type belongs to another product.")
    if rate.season_id and rate.season.product_id != product.pk:
        errors["season"] = _("This season belongs to another product.")
    if errors:
        raise ValidationError(errors)


def _candidate(*, product: Product, data: dict, rate: Rate | None) -> Rate:
    """An unsaved copy of the rate with the data applied, checked as it would be saved."""
    unknown = set(data) - set(RATE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    if rate is not None and rate.product_id != product.pk:
        raise ValidationError(_("This price belongs to another listing."))
    candidate = Rate.objects.get(pk=rate.pk) if rate is not None else Rate(product=product)
    for key, value in data.items():
        setattr(candidate, key, value)
    if candidate.retail_price is not None and candidate.net_price is None:
        candidate.net_price = net_from_retail(
            organisation=product.organisation, retail=candidate.retail_price
        )
    if candidate.retail_price is not None:
        candidate.retail_price = money(candidate.retail_price)
    if candidate.net_price is not None:
        candidate.net_price = money(candidate.net_price)
    _ownership_checks(product, candidate)
    candidate.full_clean()
    _refuse_overlap(product, candidate)
    return candidate


def _as_json(candidate: Rate) -> dict:
    return {
        "unit_type": candidate.unit_type_id,
        "season": candidate.season_id,
        "pax_category": candidate.pax_category,
        "age_min": candidate.age_min,
        "age_max": candidate.age_max,
        "weekdays": candidate.weekdays,
        "min_group": candidate.min_group,
        "max_group": candidate.max_group,
        "retail_price": str(candidate.retail_price),
        "net_price": str(candidate.net_price),
    }


def _from_json(product: Product, data: dict) -> dict:
    values = dict(data)
    values["unit_type"] = (
        UnitType.objects.filter(product=product, pk=data["unit_type"]).first()
        if data.get("unit_type")
        else None
    )
    values["season"] = (
        Season.objects.filter(product=product, pk=data["season"]).first()
        if data.get("season")
        else None
    )
    values["retail_price"] = Decimal(data["retail_price"])
    values["net_price"] = Decimal(data["net_price"])
    return values


@transaction.atomic
def rate_save(
    *,
    product: Product,
    data: dict,
    rate: Rate | None = None,
    actor=None,
    by_operator: bool = True,
) -> Rate | RateChange:
    """Create or change a rate. An empty net price follows the contract's commission; a net
    that leaves the DMC less than that commission, proposed by the operator, waits for the
    DMC as a pending change (the rate in force is untouched). Overlapping rates are refused."""
    if rate is not None:
        rate = Rate.objects.select_for_update().get(pk=rate.pk)
    candidate = _candidate(product=product, data=data, rate=rate)
    if by_operator and commission_below_contract(
        organisation=product.organisation,
        retail=candidate.retail_price,
        net=candidate.net_price,
    ):
        change = RateChange(
            product=product,
            rate=rate,
            data=_as_json(candidate),
            retail_price=candidate.retail_price,
            net_price=candidate.net_price,
            contract_commission_percent=default_commission(product.organisation),
            proposed_by=actor if getattr(actor, "pk", None) else None,
        )
        change.full_clean()
        change.save()
        return change
    candidate.save()
    return candidate


def _pending(change: RateChange) -> RateChange:
    change = RateChange.objects.select_for_update().select_related("product").get(pk=change.pk)
    if change.status != RateChangeStatus.PENDING:
        raise ValidationError(
            _("This price change was already decided (%(status)s).")
            % {"status": change.get_status_display()},
            code="rate_change_decided",
        )
    return change


@transaction.atomic
def rate_change_approve(*, change: RateChange, actor) -> Rate:
    """The DMC accepts a lower commission: the proposed price replaces the one in force."""
    change = _pending(change)
    rate = rate_save(
        product=change.product,
        data=_from_json(change.product, change.data),
        rate=change.rate,
        actor=actor,
        by_operator=False,
    )
    change.status = RateChangeStatus.APPROVED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    return rate


@transaction.atomic
def rate_change_reject(*, change: RateChange, actor, reason: str) -> RateChange:
    """The DMC refuses the lower commission; the rate in force stays as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Tell the operator why: they will read it.")}, code="required"
        )
    change = _pending(change)
    change.status = RateChangeStatus.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.reason = reason
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return change


@transaction.atomic
def rate_delete(*, rate: Rate) -> None:
    rate.delete()


@transaction.atomic
def season_save(*, product: Product, data: dict, season: Season | None = None) -> Season:
    """Create or change a season; overlapping another season of the product is refused."""
    season = season or Season(product=product)
    for key in ("name", "start_date", "end_date"):
        if key in data:
            setattr(season, key, data[key])
    season.full_clean()
    season.save()
    return season


@transaction.atomic
def season_delete(*, season: Season) -> None:
    season.delete()
