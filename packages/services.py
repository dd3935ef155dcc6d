"""State changes of packages: content, components, prices, departures and their guarantee.

Taking inventory for a booking is not here: the booking engine calls `package_quote` and takes
the slots and nights the quote names, and `departure_take_pax` for fixed departures."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketplace.amounts import amount_text
from marketplace.errors import DomainError
from operators.media import photo_prepare
from operators.models import ProductKind, ProductStatus
from operators.pricing import PaxMix

from .models import (
    ChildReduction,
    Component,
    Departure,
    DepartureMode,
    DepartureStatus,
    Package,
    PackagePhoto,
    PackageStatus,
    PricingMode,
    QuantityRule,
    SeasonPrice,
    SlotRule,
)
from .quotes import PackageQuote, package_quote, quote_for_staff

__all__ = [
    "PackageQuote",
    "package_quote",
    "package_create",
    "package_update",
    "package_publish",
    "package_unpublish",
    "package_clone",
    "component_add",
    "component_update",
    "component_remove",
    "package_photo_add",
    "package_photo_delete",
    "season_price_add",
    "child_reduction_add",
    "departure_create",
    "departures_create_series",
    "departure_take_pax",
    "departure_release_pax",
    "departures_process_guarantees",
    "package_flag_archived_products",
]

PACKAGE_FIELDS_M2M = ("themes", "languages", "comuni")


def _unique_slug(base: str) -> str:
    base = slugify(base)[:100] or "package"
    slug, n = base, 2
    while Package.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _set_fields(obj, data: dict, m2m: tuple = ()) -> dict:
    later = {}
    for key, value in data.items():
        if key in m2m:
            later[key] = value
        else:
            setattr(obj, key, value)
    return later


# --- packages -------------------------------------------------------------------------------


@transaction.atomic
def package_create(*, data: dict) -> Package:
    data = dict(data)
    package = Package()
    m2m = _set_fields(package, data, PACKAGE_FIELDS_M2M)
    if not package.slug:
        package.slug = _unique_slug(package.title_en or package.title_it or package.title)
    package.status = PackageStatus.DRAFT
    package.full_clean()
    package.save()
    for name, values in m2m.items():
        getattr(package, name).set(values)
    return package


@transaction.atomic
def package_update(*, package: Package, data: dict) -> Package:
    package = Package.objects.select_for_update().get(pk=package.pk)
    m2m = _set_fields(package, dict(data), PACKAGE_FIELDS_M2M)
    package.full_clean()
    _check_components_fit(package)
    _check_departures_fit(package)
    package.save()
    for name, values in m2m.items():
        getattr(package, name).set(values)
    _check_price_covers_nets(package)
    return package


def _check_components_fit(package: Package) -> None:
    for component in package.components.select_related("product"):
        try:
            _component_clean(component, package=package, check_status=False)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "duration_days": _("“%(product)s” no longer fits: %(reason)s")
                    % {"product": component.product.title, "reason": " ".join(exc.messages)}
                }
            ) from exc


def _check_departures_fit(package: Package) -> None:
    outside = package.departures.exclude(
        date__gte=package.valid_from, date__lte=package.valid_until
    ).exclude(status=DepartureStatus.CANCELLED)
    first = outside.order_by("date").first()
    if first is not None:
        raise ValidationError(
            {
                "valid_from": _("The departure of %(date)s would fall outside the validity period.")
                % {"date": first.date.isoformat()}
            }
        )


def _sample_pax(package: Package) -> PaxMix:
    adults = max(package.min_pax, 2)
    if package.max_pax is not None:
        adults = min(adults, package.max_pax)
    return PaxMix(adults=adults)


def _check_price_covers_nets(package: Package, field: str | None = None) -> None:
    """Refuse a markup or fixed price that sells below what the operators are paid, checked on
    the first valid date for the smallest group (quotes re-check it on every date)."""
    if not package.components.exists():
        return
    quote = quote_for_staff(package, start_date=package.valid_from, pax=_sample_pax(package))
    if quote.net_total and quote.margin < 0:
        field = field or (
            "markup_value" if package.pricing_mode == PricingMode.COMPUTED else "price_per_person"
        )
        raise ValidationError(
            {
                field: _(
                    "The price per person would be %(price)s, below the operators' nets "
                    "(%(net)s for %(n)s persons: %(retail)s charged)."
                )
                % {
                    "price": amount_text(quote.per_person),
                    "net": amount_text(quote.net_total),
                    "n": quote.pax.seats,
                    "retail": amount_text(quote.retail_total),
                }
            }
        )


@transaction.atomic
def package_publish(*, package: Package) -> Package:
    package = Package.objects.select_for_update().get(pk=package.pk)
    components = list(package.components.select_related("product", "alternative_product"))
    errors = []
    if not any(c.required for c in components):
        errors.append(_("Add at least one included component."))
    for c in components:
        if c.required and not _usable(c):
            errors.append(_("“%(product)s” is not published.") % {"product": c.product.title})
    if package.pricing_mode == PricingMode.FIXED and not package.season_prices.exists():
        errors.append(_("Set the price per person for at least one season."))
    if not (package.insurer and package.insurance_policy_number):
        errors.append(_("Give the liability insurer and policy number."))
    if not (package.insolvency_protector and package.insolvency_policy_number):
        errors.append(_("Give the insolvency protection (fund or insurer and number)."))
    if package.departure_mode == DepartureMode.FIXED and not package.departures.exists():
        errors.append(_("Add the departures, or sell the package on request."))
    if errors:
        raise ValidationError({"status": errors})
    _check_price_covers_nets(package)
    package.status = PackageStatus.PUBLISHED
    package.published_at = package.published_at or timezone.now()
    package.needs_attention, package.attention_reason = False, ""
    package.save(
        update_fields=[
            "status",
            "published_at",
            "needs_attention",
            "attention_reason",
            "updated_at",
        ]
    )
    return package


@transaction.atomic
def package_unpublish(*, package: Package) -> Package:
    package = Package.objects.select_for_update().get(pk=package.pk)
    package.status = PackageStatus.UNPUBLISHED
    package.save(update_fields=["status", "updated_at"])
    return package


@transaction.atomic
def package_clone(*, package: Package) -> Package:
    """A draft copy with its components, prices and reductions (not its departures)."""
    source = Package.objects.get(pk=package.pk)
    m2m = {name: list(getattr(source, name).all()) for name in PACKAGE_FIELDS_M2M}
    copy = Package.objects.get(pk=package.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.slug = _unique_slug(f"{source.slug}-copy")
    for lang in ("it", "en", "de", "fr"):
        title = getattr(source, f"title_{lang}", "")
        if title:
            setattr(copy, f"title_{lang}", f"{title} ({_('copy')})"[:200])
    copy.status = PackageStatus.DRAFT
    copy.published_at = None
    copy.needs_attention, copy.attention_reason = False, ""
    copy.full_clean()
    copy.save()
    for name, values in m2m.items():
        getattr(copy, name).set(values)
    for related in (
        source.components.all(),
        source.season_prices.all(),
        source.child_reductions.all(),
    ):
        for obj in related:
            obj.pk = obj.id = None
            obj._state.adding = True
            obj.package = copy
            obj.save()
    return copy


# --- components -----------------------------------------------------------------------------


def _usable(component: Component) -> bool:
    if component.product.status == ProductStatus.PUBLISHED:
        return True
    alt = component.alternative_product
    return alt is not None and alt.status == ProductStatus.PUBLISHED


def _component_clean(component: Component, *, package: Package, check_status: bool = True):
    errors: dict[str, str] = {}
    product = component.product
    if check_status and product.status != ProductStatus.PUBLISHED:
        errors["product"] = _(
            "“%(product)s” is %(status)s: only published products can go in a package."
        ) % {"product": product.title, "status": product.get_status_display().lower()}
    if component.day_offset >= package.duration_days:
        errors["day_offset"] = _(
            "Day %(day)s is beyond the package's %(days)s days (days are numbered from 1)."
        ) % {"day": component.day_offset + 1, "days": package.duration_days}
    if product.kind == ProductKind.ACCOMMODATION:
        if component.unit_type_id is None or component.unit_type.product_id != product.pk:
            errors["unit_type"] = _("Choose a unit type of %(product)s.") % {
                "product": product.title
            }
        nights = component.nights or (package.duration_nights - component.day_offset)
        if nights < 1 or component.day_offset + nights > package.duration_nights:
            errors["nights"] = _("The stay must fit in the package's %(n)s nights.") % {
                "n": package.duration_nights
            }
    else:
        if component.unit_type_id is not None:
            errors["unit_type"] = _("Only accommodation has unit types.")
        if component.quantity_rule == QuantityRule.PER_ROOM:
            errors["quantity_rule"] = _("“Per room” is for accommodation only.")
    if (
        product.kind in (ProductKind.EXPERIENCE, ProductKind.SERVICE)
        and component.slot_rule == SlotRule.FIXED_TIME
        and component.time is None
    ):
        errors["time"] = _("Give the time of the slot.")
    alt = component.alternative_product
    if alt is not None:
        if alt.pk == product.pk and component.alternative_unit_type_id in (
            None,
            component.unit_type_id,
        ):
            errors["alternative_product"] = _("The alternative must be a different product.")
        elif alt.kind != product.kind:
            errors["alternative_product"] = _("The alternative must be of the same kind.")
        elif check_status and alt.status != ProductStatus.PUBLISHED:
            errors["alternative_product"] = _("“%(product)s” is not published.") % {
                "product": alt.title
            }
        elif alt.kind == ProductKind.ACCOMMODATION and (
            component.alternative_unit_type_id is None
            or component.alternative_unit_type.product_id != alt.pk
        ):
            errors["alternative_unit_type"] = _("Choose a unit type of %(product)s.") % {
                "product": alt.title
            }
    if errors:
        raise ValidationError(errors)


COMPONENT_FIELDS = {
    "product",
    "unit_type",
    "day_offset",
    "nights",
    "slot_rule",
    "time",
    "quantity_rule",
    "quantity",
    "room_occupancy",
    "required",
    "alternative_product",
    "alternative_unit_type",
    "note",
    "note_it",
    "note_en",
    "position",
}


@transaction.atomic
def component_add(*, package: Package, data: dict) -> Component:
    unknown = set(data) - COMPONENT_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    package = Package.objects.select_for_update().get(pk=package.pk)
    component = Component(package=package, **data)
    if "position" not in data:
        component.position = package.components.count()
    component.full_clean()
    _component_clean(component, package=package)
    component.save()
    package.comuni.add(component.product.comune_id)
    _check_price_covers_nets(package)
    return component


@transaction.atomic
def component_update(*, component: Component, data: dict) -> Component:
    unknown = set(data) - COMPONENT_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    package = Package.objects.select_for_update().get(pk=component.package_id)
    component = Component.objects.get(pk=component.pk)
    for key, value in data.items():
        setattr(component, key, value)
    component.full_clean()
    _component_clean(component, package=package, check_status="product" in data)
    component.save()
    _check_price_covers_nets(package)
    return component


@transaction.atomic
def component_remove(*, component: Component) -> None:
    component.delete()


# --- photos ---------------------------------------------------------------------------------


@transaction.atomic
def package_photo_add(*, package: Package, image, alt_text: str = "") -> PackagePhoto:
    """Add a photo checked and re-encoded like the operators' ones (operators.media), with a
    JPEG thumbnail; it goes last in the gallery."""
    clean = photo_prepare(image)
    stem = secrets.token_hex(8)
    last = package.photos.order_by("-position").values_list("position", flat=True).first()
    photo = PackagePhoto(package=package, alt_text=alt_text, position=(last or 0) + 1)
    photo.image.save(f"{stem}.{clean.extension}", clean.image, save=False)
    photo.thumbnail.save(f"{stem}-thumb.jpg", clean.thumbnail, save=False)
    photo.full_clean()
    photo.save()
    return photo


@transaction.atomic
def package_photo_delete(*, photo: PackagePhoto) -> None:
    """Remove the photo and its files (once the deletion is committed)."""
    files = [(f.storage, f.name) for f in (photo.image, photo.thumbnail) if f]
    photo.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


# --- fixed prices ---------------------------------------------------------------------------


@transaction.atomic
def season_price_add(*, package: Package, data: dict) -> SeasonPrice:
    price = SeasonPrice(package=package, **data)
    price.full_clean()
    if price.start_date > package.valid_until or price.end_date < package.valid_from:
        raise ValidationError({"start_date": _("The season is outside the validity period.")})
    price.save()
    if package.pricing_mode == PricingMode.FIXED:
        _check_price_covers_nets(package, field="price_per_person")
    return price


@transaction.atomic
def child_reduction_add(*, package: Package, data: dict) -> ChildReduction:
    reduction = ChildReduction(package=package, **data)
    reduction.full_clean()
    reduction.save()
    return reduction


# --- departures -----------------------------------------------------------------------------


def _departure(package: Package, day: date, capacity: int, min_pax, cutoff_date) -> Departure:
    if not (package.valid_from <= day <= package.valid_until):
        raise ValidationError(
            {
                "date": _("%(date)s is outside the package's validity (%(start)s to %(end)s).")
                % {
                    "date": day.isoformat(),
                    "start": package.valid_from.isoformat(),
                    "end": package.valid_until.isoformat(),
                }
            }
        )
    min_pax = package.guarantee_min_pax if min_pax is None else min_pax
    if cutoff_date is None and min_pax:
        cutoff_date = day - timedelta(days=package.guarantee_cutoff_days)
    if cutoff_date is not None and cutoff_date > day:
        raise ValidationError({"cutoff_date": _("The cut-off must be before the departure.")})
    if min_pax and capacity is not None and min_pax > capacity:
        raise ValidationError({"min_pax": _("The minimum is above the capacity.")})
    departure = Departure(
        package=package, date=day, capacity=capacity, min_pax=min_pax, cutoff_date=cutoff_date
    )
    departure.full_clean(validate_unique=False)
    return departure


@transaction.atomic
def departure_create(
    *, package: Package, date: date, capacity: int, min_pax=None, cutoff_date=None
) -> Departure:
    departure = _departure(package, date, capacity, min_pax, cutoff_date)
    if Departure.objects.filter(package=package, date=date).exists():
        raise ValidationError({"date": _("There is already a departure on this date.")})
    departure.save()
    return departure


@transaction.atomic
def departures_create_series(
    *,
    package: Package,
    start: date,
    end: date,
    weekdays: str,
    capacity: int,
    min_pax: int | None = None,
) -> list[Departure]:
    """Departures on these ISO weekdays (e.g. "6" for Saturdays) from start to end; dates
    that already have a departure are skipped."""
    if end < start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    if start < package.valid_from or end > package.valid_until:
        raise ValidationError(
            {
                "start": _("The series must stay within the validity (%(start)s to %(end)s).")
                % {"start": package.valid_from.isoformat(), "end": package.valid_until.isoformat()}
            }
        )
    if not weekdays or any(ch not in "1234567" for ch in weekdays):
        raise ValidationError({"weekdays": _("Choose at least one weekday.")})
    existing = set(
        Departure.objects.filter(package=package, date__gte=start, date__lte=end).values_list(
            "date", flat=True
        )
    )
    new, day = [], start
    while day <= end:
        if str(day.isoweekday()) in weekdays and day not in existing:
            new.append(_departure(package, day, capacity, min_pax, None))
        day += timedelta(days=1)
    return Departure.objects.bulk_create(new)


class DepartureFull(DomainError):
    """Not enough places left on a fixed departure: sold out (409), like any inventory."""

    code = "sold_out"


@transaction.atomic
def departure_take_pax(*, departure: Departure, pax: int) -> Departure:
    """Take places on a departure (called by the booking engine inside its transaction)."""
    if not isinstance(pax, int) or pax < 1:
        raise ValidationError({"pax": _("Take at least one place.")})
    departure = Departure.objects.select_for_update().get(pk=departure.pk)
    if departure.status == DepartureStatus.CANCELLED:
        raise ValidationError({"departure": _("This departure is cancelled.")})
    if departure.available < pax:
        raise DepartureFull(
            _("Only %(n)s places left on this departure.") % {"n": departure.available}
        )
    try:
        with transaction.atomic():
            Departure.objects.filter(pk=departure.pk).update(booked_pax=F("booked_pax") + pax)
    except IntegrityError as exc:
        raise DepartureFull(_("The departure is full.")) from exc
    departure.refresh_from_db(fields=["booked_pax"])
    return departure


@transaction.atomic
def departure_release_pax(*, departure: Departure, pax: int) -> Departure:
    if not isinstance(pax, int) or pax < 1:
        raise ValidationError({"pax": _("Release at least one place.")})
    departure = Departure.objects.select_for_update().get(pk=departure.pk)
    if departure.booked_pax < pax:
        raise ValidationError(
            {"pax": _("Only %(n)s places are booked.") % {"n": departure.booked_pax}}
        )
    Departure.objects.filter(pk=departure.pk).update(booked_pax=F("booked_pax") - pax)
    departure.refresh_from_db(fields=["booked_pax"])
    return departure


@transaction.atomic
def departures_process_guarantees(*, today: date | None = None) -> dict[str, list[Departure]]:
    """On and after its cut-off date, a scheduled departure with a minimum is guaranteed when
    it has enough participants and cancelled otherwise; the DMC is notified by email.

    Returns {"guaranteed": [...], "cancelled": [...]}: the booking engine cancels the
    bookings of the cancelled departures (and refunds them)."""
    from outbox.services import outbox_enqueue

    from . import tasks

    today = today or timezone.localdate()
    due = list(
        Departure.objects.select_for_update()
        .filter(
            status=DepartureStatus.SCHEDULED,
            min_pax__isnull=False,
            cutoff_date__lte=today,
        )
        .order_by("pk")
    )
    result: dict[str, list[Departure]] = {"guaranteed": [], "cancelled": []}
    now = timezone.now()
    for departure in due:
        confirmed = departure.booked_pax >= departure.min_pax
        departure.status = DepartureStatus.GUARANTEED if confirmed else DepartureStatus.CANCELLED
        departure.decided_at = now
        departure.save(update_fields=["status", "decided_at"])
        result["guaranteed" if confirmed else "cancelled"].append(departure)
        outbox_enqueue(
            handler=tasks.departure_decision_notify, kwargs={"departure_id": departure.pk}
        )
    return result


# --- products archived later ---------------------------------------------------------------


@transaction.atomic
def package_flag_archived_products() -> list[Package]:
    """Flag the packages whose included component (and its alternative) is no longer
    published, and clear the flag of those that were fixed; returns the newly flagged."""
    packages = list(
        Package.objects.select_for_update()
        .exclude(status=PackageStatus.DRAFT, needs_attention=False)
        .prefetch_related("components__product", "components__alternative_product")
        .order_by("pk")
    )
    newly = []
    for package in packages:
        reasons = [
            _("“%(product)s” (day %(day)s) is %(status)s.")
            % {
                "product": c.product.title,
                "day": c.day_offset + 1,
                "status": c.product.get_status_display().lower(),
            }
            for c in package.components.all()
            if c.required and not _usable(c)
        ]
        reason = " ".join(reasons)
        if bool(reasons) != package.needs_attention or reason != package.attention_reason:
            if reasons and not package.needs_attention:
                newly.append(package)
            package.needs_attention, package.attention_reason = bool(reasons), reason
            package.save(update_fields=["needs_attention", "attention_reason"])
    return newly
