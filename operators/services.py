"""Operators' state changes: listings and their curation, rates, inventory generation and
capacity edits, photos, calendar feed tokens.

Taking and releasing inventory for bookings is not here: it belongs to bookings/services/."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .inventory import (  # noqa: F401  (the public names of inventory edits)
    BulkResult,
    nights_bulk_update,
    slots_bulk_update,
)
from .inventory import horizon_days as inventory_horizon_days
from .media import photo_prepare
from .models import (
    CurationEvent,
    GoodsStock,
    NightInventory,
    Product,
    ProductKind,
    ProductPhoto,
    ProductStatus,
    ScheduleRule,
    Slot,
    SlotStatus,
    UnitType,
)
from .rates import (  # noqa: F401  (the public names of rate services)
    commission_below_contract,
    default_commission,
    net_from_retail,
    rate_change_approve,
    rate_change_reject,
    rate_delete,
    rate_save,
    season_delete,
    season_save,
)

#: Kept for callers that name it; the horizon itself is the DMC's setting (see inventory).
DEFAULT_HORIZON_DAYS = None


def _aware(day: date, at) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def slots_generate(
    *, product: Product, start: date | None = None, horizon_days: int | None = None
) -> int:
    """Create the slots of the product's weekly schedules up to the booking horizon.
    Existing slots (and their bookings) are left as they are; returns how many were made."""
    start = start or timezone.localdate()
    end = start + timedelta(days=horizon_days or inventory_horizon_days())
    if product.available_until:
        end = min(end, product.available_until)
    rules = list(product.schedules.all())
    existing = set(
        Slot.objects.filter(product=product, date__gte=start, date__lte=end).values_list(
            "starts_at", flat=True
        )
    )
    new = []
    day = max(start, product.available_from or start)
    while day <= end:
        weekday = str(day.isoweekday())
        for rule in rules:
            if weekday not in rule.weekdays or day < rule.valid_from:
                continue
            if rule.valid_until and day > rule.valid_until:
                continue
            starts_at = _aware(day, rule.start_time)
            if starts_at in existing:
                continue
            existing.add(starts_at)
            new.append(
                Slot(
                    product=product,
                    schedule=rule,
                    date=day,
                    start_time=rule.start_time,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=rule.duration_minutes),
                    capacity=rule.capacity,
                )
            )
        day += timedelta(days=1)
    Slot.objects.bulk_create(new, batch_size=1000)
    return len(new)


def nights_generate(
    *, unit_type: UnitType, start: date | None = None, horizon_days: int | None = None
) -> int:
    """Create the nightly inventory rows of a unit type up to the booking horizon."""
    start = start or timezone.localdate()
    product = unit_type.product
    end = start + timedelta(days=horizon_days or inventory_horizon_days())
    if product.available_until:
        end = min(end, product.available_until)
    existing = set(
        NightInventory.objects.filter(
            unit_type=unit_type, date__gte=start, date__lte=end
        ).values_list("date", flat=True)
    )
    new = []
    day = max(start, product.available_from or start)
    while day <= end:
        if day not in existing:
            new.append(NightInventory(unit_type=unit_type, date=day, units=unit_type.units))
        day += timedelta(days=1)
    NightInventory.objects.bulk_create(new, batch_size=1000)
    return len(new)


def inventory_roll_forward(*, horizon_days: int | None = None) -> dict:
    """Keep slots and nights open up to the DMC's booking horizon for every active product
    (periodic task)."""
    horizon_days = horizon_days or inventory_horizon_days()
    made = {"slots": 0, "nights": 0}
    products = Product.objects.exclude(status="archived")
    for product in products.filter(kind__in=["experience", "service"]).prefetch_related(
        "schedules"
    ):
        made["slots"] += slots_generate(product=product, horizon_days=horizon_days)
    for unit_type in UnitType.objects.filter(product__in=products).select_related("product"):
        made["nights"] += nights_generate(unit_type=unit_type, horizon_days=horizon_days)
    return made


@transaction.atomic
def slot_set_capacity(*, slot: Slot, capacity: int) -> Slot:
    """Change a slot's capacity; refuse to go below what is already sold or held."""
    if not isinstance(capacity, int) or capacity < 0:
        raise ValidationError({"capacity": _("The capacity must be a whole number ≥ 0.")})
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    taken = slot.sold + slot.held
    if capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "%(taken)s places are already booked or held: "
                    "the capacity cannot go below that."
                )
                % {"taken": taken}
            }
        )
    slot.capacity = capacity
    slot.save(update_fields=["capacity"])
    return slot


@transaction.atomic
def slot_set_status(*, slot: Slot, status: str, note: str = "") -> Slot:
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    slot.status = status
    slot.note = note
    slot.save(update_fields=["status", "note"])
    return slot


@transaction.atomic
def schedule_add(*, product: Product, data: dict, generate: bool = False) -> ScheduleRule:
    """Add a weekly schedule; with `generate`, make its slots for the rolling horizon too."""
    _check_capacity(data.get("capacity"), field="capacity", minimum=1)
    rule = ScheduleRule(product=product, **data)
    rule.full_clean()
    if product.available_from and rule.valid_from < product.available_from:
        raise ValidationError(
            {"valid_from": _("The schedule starts before the product is bookable.")}
        )
    if product.available_until and (
        rule.valid_until is None or rule.valid_until > product.available_until
    ):
        raise ValidationError(
            {"valid_until": _("The schedule ends after the product is bookable.")}
        )
    rule.save()
    if generate:
        slots_generate(product=product)
    return rule


def _refuse_units_below_taken(nights, units: int) -> None:
    """The units for sale never go below what is booked or held on any of these nights."""
    worst = max(nights, key=lambda n: n.sold + n.held, default=None)
    if worst is not None and worst.sold + worst.held > units:
        raise ValidationError(
            {
                "units": ngettext(
                    "%(taken)s unit is already booked or held on %(date)s: "
                    "the units cannot go below that.",
                    "%(taken)s units are already booked or held on %(date)s: "
                    "the units cannot go below that.",
                    worst.sold + worst.held,
                )
                % {"taken": worst.sold + worst.held, "date": worst.date.isoformat()}
            }
        )


@transaction.atomic
def stock_set(*, product: Product, quantity: int) -> GoodsStock:
    if not isinstance(quantity, int) or quantity < 0:
        raise ValidationError({"quantity": _("The stock must be a whole number ≥ 0.")})
    stock, _created = GoodsStock.objects.select_for_update().get_or_create(product=product)
    if quantity < stock.sold + stock.held:
        raise ValidationError(
            {
                "quantity": _(
                    "%(taken)s items are already sold or held: the stock cannot go below that."
                )
                % {"taken": stock.sold + stock.held}
            }
        )
    stock.quantity = quantity
    stock.save(update_fields=["quantity"])
    return stock


# --- Curation -------------------------------------------------------------------------------

OPERATOR, DMC = "operator", "dmc"
S = ProductStatus

#: Allowed status changes and who may make them. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({OPERATOR}),
    (S.SUBMITTED, S.DRAFT): frozenset({OPERATOR}),  # withdrawn to keep editing
    (S.SUBMITTED, S.APPROVED): frozenset({DMC}),
    (S.SUBMITTED, S.REJECTED): frozenset({DMC}),
    (S.APPROVED, S.PUBLISHED): frozenset({DMC}),
    (S.APPROVED, S.REJECTED): frozenset({DMC}),
    (S.APPROVED, S.SUBMITTED): frozenset({OPERATOR}),  # content changed before publication
    (S.REJECTED, S.SUBMITTED): frozenset({OPERATOR}),
    (S.REJECTED, S.DRAFT): frozenset({OPERATOR}),
    (S.PUBLISHED, S.SUBMITTED): frozenset({OPERATOR}),  # content changed: back to review
    (S.PUBLISHED, S.ARCHIVED): frozenset({OPERATOR, DMC}),
    (S.DRAFT, S.ARCHIVED): frozenset({OPERATOR, DMC}),
    (S.REJECTED, S.ARCHIVED): frozenset({OPERATOR, DMC}),
    (S.ARCHIVED, S.DRAFT): frozenset({OPERATOR}),
}

#: Product fields whose change is a change of price or availability, not of content: editing
#: them leaves a published product on sale.
NON_CONTENT_FIELDS = frozenset({"available_from", "available_until", "free_place_every"})


def _roles_of(actor, product: Product) -> set[str]:
    from accounts.selectors import user_is_dmc_staff

    roles = set()
    if actor is None:
        return roles
    if actor.is_authenticated and product.organisation.memberships.filter(user=actor).exists():
        roles.add(OPERATOR)
    if user_is_dmc_staff(actor):
        roles.add(DMC)
    return roles


def allowed_transitions(*, product: Product, actor) -> list[str]:
    roles = _roles_of(actor, product)
    return [to for (frm, to), who in TRANSITIONS.items() if frm == product.status and who & roles]


def _submission_problems(product: Product) -> dict:
    errors = {}
    if not (product.title_it or "").strip() or not (product.title_en or "").strip():
        errors["title_en"] = _("The title is needed in Italian and in English.")
    if not (product.description_it or "").strip() or not (product.description_en or "").strip():
        errors["description_en"] = _("The description is needed in Italian and in English.")
    if not product.rates.exists():
        errors["rates"] = _("Set at least one price before submitting.")
    return errors


@transaction.atomic
def product_transition(*, product: Product, to_status: str, actor, reason: str = "") -> Product:
    """Move a product along its curation lifecycle, as the actor's role allows; record it."""
    product = Product.objects.select_for_update().select_related("organisation").get(pk=product.pk)
    from_status = product.status
    allowed = TRANSITIONS.get((from_status, to_status))
    if allowed is None:
        raise ValidationError(
            {
                "status": _("A product cannot go from “%(from)s” to “%(to)s”.")
                % {"from": S(from_status).label, "to": S(to_status).label}
            },
            code="invalid_transition",
        )
    if not allowed & _roles_of(actor, product):
        raise ValidationError(
            {
                "status": _("Only %(who)s can move a product from “%(from)s” to “%(to)s”.")
                % {
                    "who": _("the DMC") if allowed == {DMC} else _("the operator"),
                    "from": S(from_status).label,
                    "to": S(to_status).label,
                }
            },
            code="not_allowed",
        )
    reason = (reason or "").strip()
    now = timezone.now()
    fields = ["status", "updated_at"]
    if to_status == S.SUBMITTED:
        problems = _submission_problems(product)
        if problems:
            raise ValidationError(problems)
        product.submitted_at = now
        product.rejection_reason = ""
        fields += ["submitted_at", "rejection_reason"]
    elif to_status == S.REJECTED:
        if not reason:
            raise ValidationError(
                {"reason": _("Tell the operator why: they will read it.")}, code="required"
            )
        product.rejection_reason = reason
        product.reviewed_by = actor
        fields += ["rejection_reason", "reviewed_by"]
    elif to_status == S.APPROVED:
        product.reviewed_by = actor
        fields.append("reviewed_by")
    elif to_status == S.PUBLISHED:
        product.published_at = now
        product.reviewed_by = actor
        fields += ["published_at", "reviewed_by"]
    product.status = to_status
    product.save(update_fields=fields)
    CurationEvent.objects.create(
        product=product, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )
    return product


def product_submit(*, product: Product, actor) -> Product:
    return product_transition(product=product, to_status=S.SUBMITTED, actor=actor)


def product_approve(*, product: Product, actor, reason: str = "") -> Product:
    return product_transition(product=product, to_status=S.APPROVED, actor=actor, reason=reason)


def product_reject(*, product: Product, actor, reason: str) -> Product:
    return product_transition(product=product, to_status=S.REJECTED, actor=actor, reason=reason)


def product_publish(*, product: Product, actor) -> Product:
    return product_transition(product=product, to_status=S.PUBLISHED, actor=actor)


def product_archive(*, product: Product, actor, reason: str = "") -> Product:
    return product_transition(product=product, to_status=S.ARCHIVED, actor=actor, reason=reason)


# --- Listings -------------------------------------------------------------------------------


def _unique_product_slug(title: str, *, exclude_pk=None) -> str:
    base = slugify(title)[:100] or "product"
    slug, n = base, 2
    while Product.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _set_base(instance, field: str, value) -> None:
    """Set the untranslated column only: assigning `instance.title` would write the active
    language's column (django-modeltranslation), so an English page would overwrite the
    English title with the Italian one."""
    instance.__dict__[field] = value


def _apply(product: Product, data: dict) -> tuple[set[str], dict]:
    """Set the plain fields on the product; return the names that changed and the m2m values."""
    m2m = {key: data[key] for key in ("themes", "languages") if key in data}
    changed = set()
    for key, value in data.items():
        if key in m2m:
            continue
        if getattr(product, key, None) != value:
            changed.add(key)
            setattr(product, key, value)
    return changed, m2m


def _set_m2m(product: Product, m2m: dict) -> set[str]:
    changed = set()
    for key, values in m2m.items():
        manager = getattr(product, key)
        new = {v.pk for v in values}
        if {v.pk for v in manager.all()} != new:
            manager.set(list(values))
            changed.add(key)
    return changed


@transaction.atomic
def product_create(*, organisation, kind: str, data: dict, actor=None) -> Product:
    """A new listing, in draft."""
    if kind not in ProductKind.values:
        raise ValidationError({"kind": _("Choose what kind of product this is.")})
    product = Product(organisation=organisation, kind=kind, status=S.DRAFT)
    _changed, m2m = _apply(product, data)
    _set_base(product, "title", product.title_it or product.title_en or "")
    if not product.slug:
        product.slug = _unique_product_slug(product.title_en or product.title_it or "")
    product.full_clean()
    product.save()
    _set_m2m(product, m2m)
    CurationEvent.objects.create(
        product=product, from_status=S.DRAFT, to_status=S.DRAFT, actor=actor, reason="created"
    )
    return product


def content_would_resubmit(*, product: Product) -> bool:
    """Whether a content edit sends this product back to review (an approved listing not yet
    on sale). A published listing keeps selling: its edits wait as a draft revision."""
    return product.status == S.APPROVED


@transaction.atomic
def product_update(*, product: Product, data: dict, actor=None) -> Product:
    """Edit a listing. Content changes of a published listing become its pending revision
    for the DMC (the live version stays on sale); an approved listing goes back to review;
    bookable dates and group free places apply at once."""
    from .revisions import content_changes, revision_propose

    product = Product.objects.select_for_update().get(pk=product.pk)
    if "kind" in data and data["kind"] != product.kind:
        raise ValidationError({"kind": _("The kind of a product cannot change.")})
    data = {k: v for k, v in data.items() if k not in ("kind", "status", "organisation", "slug")}
    product._revision = None
    if product.status == S.PUBLISHED:
        content = {k: v for k, v in data.items() if k not in NON_CONTENT_FIELDS}
        direct = {k: v for k, v in data.items() if k in NON_CONTENT_FIELDS}
        proposed = content_changes(product=product, data=content)
        changed, _m2m = _apply(product, direct)
        product.full_clean()
        product.save()
        product._revision = revision_propose(product=product, data=content, actor=actor)
        product._changed_fields = changed | set(proposed)
        return product
    changed, m2m = _apply(product, data)
    _set_base(product, "title", product.title_it or product.title_en or product.title)
    product.full_clean()
    product.save()
    changed |= _set_m2m(product, m2m)
    content_changed = sorted(changed - NON_CONTENT_FIELDS)
    if content_changed and content_would_resubmit(product=product):
        product = _resubmit(product=product, actor=actor, why=", ".join(content_changed))
    product._changed_fields = changed
    return product


def _resubmit(*, product: Product, actor, why: str) -> Product:
    """Content of an approved product changed: back to review, recorded with what changed."""
    from_status = product.status
    now = timezone.now()
    Product.objects.filter(pk=product.pk).update(status=S.SUBMITTED, submitted_at=now)
    CurationEvent.objects.create(
        product=product,
        from_status=from_status,
        to_status=S.SUBMITTED,
        actor=actor,
        reason=_("Content changed: %(fields)s") % {"fields": why},
    )
    product.refresh_from_db()
    return product


def _photos_changed(*, product: Product, actor, what: str) -> None:
    """Photos of an approved listing send it back to review; on a live listing they apply at
    once and the curation history records it for the DMC (the listing stays on sale)."""
    if content_would_resubmit(product=product):
        _resubmit(product=product, actor=actor, why="photos")
    elif product.status == S.PUBLISHED:
        CurationEvent.objects.create(
            product=product,
            from_status=product.status,
            to_status=product.status,
            actor=actor if getattr(actor, "pk", None) else None,
            reason=what,
        )


@transaction.atomic
def photo_add(*, product: Product, image, alt_text: str = "", actor=None) -> ProductPhoto:
    """Add a photo checked with Pillow (JPEG/PNG/WebP, at most 5 MB and 25 megapixels),
    stored re-encoded without metadata, and its thumbnail; on a live listing it applies at
    once and is recorded in the curation history."""
    clean = photo_prepare(image)
    stem = secrets.token_hex(8)
    position = (
        product.photos.order_by("-position").values_list("position", flat=True).first()
    ) or 0
    photo = ProductPhoto(product=product, alt_text=alt_text, position=position + 1)
    photo.image.save(f"{stem}.{clean.extension}", clean.image, save=False)
    photo.thumbnail.save(f"{stem}-thumb.jpg", clean.thumbnail, save=False)
    photo.full_clean()
    photo.save()
    _photos_changed(product=product, actor=actor, what=_("Photo added"))
    return photo


@transaction.atomic
def photo_delete(*, photo: ProductPhoto, actor=None) -> None:
    product = photo.product
    for field in (photo.image, photo.thumbnail):
        if field:
            field.delete(save=False)
    photo.delete()
    _photos_changed(product=product, actor=actor, what=_("Photo removed"))


# --- Unit types, slots, inventory -----------------------------------------------------------


def _check_capacity(value, *, field: str, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(
            {field: _("Give a whole number of at least %(min)s.") % {"min": minimum}},
            code="invalid_capacity",
        )


@transaction.atomic
def unit_type_save(
    *, product: Product, data: dict, unit_type: UnitType | None = None, generate: bool = True
) -> UnitType:
    """Create or change a unit type; a new one gets its nights for the rolling horizon."""
    if product.kind != ProductKind.ACCOMMODATION:
        raise ValidationError({"kind": _("Only accommodation has unit types.")})
    if "units" in data:
        _check_capacity(data["units"], field="units")
    is_new = unit_type is None
    if is_new:
        unit_type = UnitType(product=product)
    else:
        if unit_type.product_id != product.pk:
            raise ValidationError(_("This unit type belongs to another listing."))
        unit_type = UnitType.objects.select_for_update().get(pk=unit_type.pk)
    old_units = unit_type.units
    for key, value in data.items():
        setattr(unit_type, key, value)
    _set_base(unit_type, "name", unit_type.name_it or unit_type.name_en or unit_type.name)
    unit_type.full_clean()
    if not is_new and unit_type.units != old_units:
        # Lock the future nights first, then decide: a booking cannot slip in between.
        future = list(
            NightInventory.objects.select_for_update()
            .filter(unit_type=unit_type, date__gte=timezone.localdate())
            .order_by("pk")
        )
        _refuse_units_below_taken(future, unit_type.units)
        # Nights changed one by one in the calendar keep their own count.
        NightInventory.objects.filter(pk__in=[n.pk for n in future if n.units == old_units]).update(
            units=unit_type.units
        )
    unit_type.save()
    if is_new and generate:
        nights_generate(unit_type=unit_type)
    return unit_type


@transaction.atomic
def unit_type_delete(*, unit_type: UnitType) -> None:
    """Remove a unit type with its nights and prices; refused while any of its nights has
    units sold or held, or while bookings or packages still name it."""
    unit_type = UnitType.objects.select_for_update().get(pk=unit_type.pk)
    taken = (
        NightInventory.objects.select_for_update()
        .filter(unit_type=unit_type)
        .filter(Q(sold__gt=0) | Q(held__gt=0))
        .order_by("date")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            ngettext(
                "“%(name)s” cannot be removed: %(taken)s unit is booked or held on %(date)s. "
                "Close its nights instead.",
                "“%(name)s” cannot be removed: %(taken)s units are booked or held on %(date)s. "
                "Close its nights instead.",
                taken.sold + taken.held,
            )
            % {
                "name": unit_type.name,
                "taken": taken.sold + taken.held,
                "date": taken.date.isoformat(),
            }
        )
    try:
        with transaction.atomic():
            unit_type.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _(
                "“%(name)s” cannot be removed: bookings or packages refer to it. "
                "Close its nights instead."
            )
            % {"name": unit_type.name}
        ) from exc


def _within_opening(product: Product, day: date, field: str = "date") -> None:
    if product.available_from and day < product.available_from:
        raise ValidationError(
            {
                field: _("%(date)s is before the product is bookable (from %(from)s).")
                % {"date": day.isoformat(), "from": product.available_from.isoformat()}
            }
        )
    if product.available_until and day > product.available_until:
        raise ValidationError(
            {
                field: _("%(date)s is after the product is bookable (until %(until)s).")
                % {"date": day.isoformat(), "until": product.available_until.isoformat()}
            }
        )


@transaction.atomic
def slot_create(
    *, product: Product, day: date, start_time: time, capacity: int, duration_minutes: int = 0
) -> Slot:
    """A single extra slot, inside the product's bookable dates."""
    if not product.uses_slots:
        raise ValidationError({"kind": _("Only experiences and services have time slots.")})
    _check_capacity(capacity, field="capacity", minimum=1)
    _within_opening(product, day)
    starts_at = _aware(day, start_time)
    if Slot.objects.filter(product=product, starts_at=starts_at).exists():
        raise ValidationError({"start_time": _("There is already a slot at this time.")})
    minutes = duration_minutes or product.duration_minutes or 120
    return Slot.objects.create(
        product=product,
        date=day,
        start_time=start_time,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity,
    )


@transaction.atomic
def slot_update(
    *, slot: Slot, capacity: int | None = None, status: str | None = None, note: str | None = None
) -> Slot:
    """Edit one slot: capacity (never below what is booked), open or closed, note."""
    if capacity is not None:
        slot = slot_set_capacity(slot=slot, capacity=capacity)
    if status is not None or note is not None:
        if status is not None and status not in SlotStatus.values:
            raise ValidationError({"status": _("Unknown slot status.")})
        slot = slot_set_status(
            slot=slot,
            status=status or slot.status,
            note=slot.note if note is None else note,
        )
    return slot


def product_ical_token(*, product: Product, rotate: bool = False) -> str:
    """The secret of the product's calendar feed: 256 random bits, made on first use."""
    if product.ical_token and not rotate:
        return product.ical_token
    token = secrets.token_urlsafe(32)
    Product.objects.filter(pk=product.pk).update(ical_token=token)
    product.ical_token = token
    return token


def stock_ensure(*, product: Product) -> GoodsStock:
    stock, _created = GoodsStock.objects.get_or_create(product=product)
    return stock
