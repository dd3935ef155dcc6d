"""OCTO bookings: every state change goes through the booking engine (bookings.services), with
the partner as buyer, so that inventory locks, partner prices, allotments and the booking
events apply exactly as on the other channels. This module only translates OCTO's requests and
the engine's errors."""

from __future__ import annotations

import hashlib
import json
import uuid as uuid_module
from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import services as booking_services
from bookings.confirmation import confirm_on_account
from bookings.models import BookingStatus, CancelReason, Channel, LineStatus
from marketplace.errors import DomainError
from operators.models import ProductKind
from operators.pricing import PaxMix

from .availability import place_get
from .catalogue import option_get, product_get, quote_kwargs_for, units_of
from .errors import (
    BadRequest,
    InvalidAvailabilityId,
    InvalidBookingUuid,
    InvalidUnitId,
    OctoError,
    UnprocessableEntity,
)
from .models import OctoBooking

MAX_UNIT_ITEMS = 100
MAX_EXPIRATION_MINUTES = 60 * 24 * 30
ORPHAN_AFTER = timedelta(minutes=5)


@contextmanager
def engine_errors():
    """The booking engine's errors as the standard's: a failed request writes nothing."""
    try:
        yield
    except OctoError:
        raise
    except booking_services.SoldOut as exc:
        raise UnprocessableEntity(exc.message) from exc
    except DomainError as exc:  # busy, invalid transition, payment required, option cut-off
        raise UnprocessableEntity(exc.message) from exc
    except ValidationError as exc:
        fields = getattr(exc, "error_dict", {}) or {}
        message = "; ".join(exc.messages)
        if {"date", "slot", "check_out", "unit_type"} & set(fields):
            raise InvalidAvailabilityId(message) from exc
        if {"pax", "children_ages", "units", "quantity"} & set(fields):
            raise UnprocessableEntity(message) from exc
        raise BadRequest(message) from exc


# --- input ------------------------------------------------------------------------------------


def _text(data: dict, key: str, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(
            _("%(field)s must be a text of at most %(n)s characters.") % {"field": key, "n": limit}
        )
    return value


def _contact(raw) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadRequest(_("contact must be an object."))
    contact = {}
    for key in ("fullName", "firstName", "lastName", "emailAddress", "phoneNumber", "country"):
        value = _text(raw, key, 200)
        if value:
            contact[key] = value.strip()
    if "emailAddress" in contact:
        from django.core.validators import validate_email

        try:
            validate_email(contact["emailAddress"])
        except ValidationError:
            raise BadRequest(_("contact.emailAddress is not a valid email address.")) from None
    return contact


def _contact_name(contact: dict) -> str:
    return (
        contact.get("fullName")
        or " ".join(v for v in (contact.get("firstName"), contact.get("lastName")) if v)
    ).strip()


def _uuid(value) -> str:
    try:
        return str(uuid_module.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise InvalidBookingUuid(_("The uuid is not a valid UUID."), value=str(value)) from None


def _body_uuid(value, field: str) -> str:
    try:
        return str(uuid_module.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise BadRequest(_("%(field)s is not a valid UUID.") % {"field": field}) from None


def _unit_items(product, unit_type, raw) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise BadRequest(_("unitItems must be a list of at least one {unitId}."))
    if len(raw) > MAX_UNIT_ITEMS:
        raise BadRequest(_("At most %(n)s unit items per booking.") % {"n": MAX_UNIT_ITEMS})
    known = {u.id: u for u in units_of(product, unit_type)}
    items = []
    for raw_item in raw:
        if not isinstance(raw_item, dict):
            raise BadRequest(_("unitItems must be a list of at least one {unitId}."))
        unit_id = raw_item.get("unitId")
        if not isinstance(unit_id, str) or unit_id not in known:
            raise InvalidUnitId(value=unit_id if isinstance(unit_id, str) else "")
        item_uuid = raw_item.get("uuid")
        items.append(
            {
                "uuid": _body_uuid(item_uuid, "unitItems.uuid")
                if item_uuid is not None
                else str(uuid_module.uuid4()),
                "unitId": unit_id,
                "resellerReference": _text(raw_item, "resellerReference", 60),
                "contact": _contact(raw_item.get("contact")),
            }
        )
    return items


def _expiration(data: dict) -> timedelta | None:
    minutes = data.get("expirationMinutes")
    if minutes is None:
        return None
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not 1 <= minutes <= MAX_EXPIRATION_MINUTES
    ):
        raise BadRequest(
            _("expirationMinutes must be a whole number from 1 to %(n)s.")
            % {"n": MAX_EXPIRATION_MINUTES}
        )
    return timedelta(minutes=minutes)


def _line_request(product, unit_type, place, items) -> booking_services.LineRequest:
    known = {u.id: u for u in units_of(product, unit_type)}
    party = [known[item["unitId"]] for item in items]
    day = place.day if place else timezone.localdate()
    kwargs = quote_kwargs_for(product, party, day, unit_type=unit_type)
    if product.kind == ProductKind.ACCOMMODATION:
        return booking_services.LineRequest(
            product=product,
            day=kwargs["day"],
            check_out=kwargs["check_out"],
            unit_type=unit_type,
            units=kwargs["units"],
            pax=kwargs["pax"],
        )
    if product.kind == ProductKind.GOODS:
        return booking_services.LineRequest(
            product=product, day=kwargs["day"], quantity=kwargs["quantity"]
        )
    return booking_services.LineRequest(
        product=product,
        day=kwargs["day"],
        slot=place.slot,
        pax=kwargs.get("pax") or PaxMix(),
        units=kwargs.get("units", 1),
    )


def _request_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()


# --- lookups ----------------------------------------------------------------------------------


def octo_booking_get(*, organisation, uuid) -> OctoBooking:
    """A partner's own OCTO booking; anything else (another partner's, unknown, malformed) is
    the same INVALID_BOOKING_UUID, so that ids leak nothing."""
    value = _uuid(uuid)
    found = (
        OctoBooking.objects.select_related("booking", "product")
        .filter(uuid=value, organisation=organisation, booking__isnull=False)
        .first()
    )
    if found is None:
        raise InvalidBookingUuid(value=str(uuid))
    return found


def _primary_line(octo_booking):
    return (
        octo_booking.booking.lines.filter(parent__isnull=True)
        .select_related("slot", "unit_type")
        .order_by("position")
        .first()
    )


# --- the operations ---------------------------------------------------------------------------


def octo_booking_reserve(*, organisation, data: dict, language: str = "en") -> OctoBooking:
    """POST /bookings: hold the places (ON_HOLD until `utcExpiresAt`). The booking uuid is the
    idempotency key: the same partner sending it again gets the same booking back."""
    product = product_get(data.get("productId"))
    unit_type = option_get(product, data.get("optionId"))
    items = _unit_items(product, unit_type, data.get("unitItems"))
    availability_id = data.get("availabilityId")
    place = None
    if product.kind != ProductKind.GOODS or availability_id is not None:
        place = place_get(product, unit_type, availability_id)
        if not place.open:
            raise InvalidAvailabilityId(
                _("This availability is closed or already started."), value=availability_id
            )
    hold_for = _expiration(data)
    notes = _text(data, "notes", 2000) or ""
    reseller_reference = _text(data, "resellerReference", 60) or ""
    contact = _contact(data.get("contact"))
    booking_uuid = (
        _body_uuid(data["uuid"], "uuid")
        if data.get("uuid") is not None
        else str(uuid_module.uuid4())
    )

    # A row left without its booking by a process that died mid-reservation frees its uuid.
    OctoBooking.objects.filter(
        uuid=booking_uuid,
        booking__isnull=True,
        created_at__lt=timezone.now() - ORPHAN_AFTER,
    ).delete()
    existing = OctoBooking.objects.filter(uuid=booking_uuid).first()
    if existing is not None:
        return _replay(existing, organisation)
    try:
        with transaction.atomic():
            octo_booking = OctoBooking.objects.create(
                uuid=booking_uuid,
                organisation=organisation,
                product=product,
                option_id=data["optionId"],
                availability_id=place.id if place else "",
                unit_items=items,
                reseller_reference=reseller_reference,
                request_hash=_request_hash(data),
            )
    except IntegrityError:
        return _replay(OctoBooking.objects.get(uuid=booking_uuid), organisation)
    try:
        with engine_errors():
            booking = booking_services.booking_hold(
                lines=[_line_request(product, unit_type, place, items)],
                channel=Channel.API,
                contact_name=_contact_name(contact) or organisation.name,
                contact_email=contact.get("emailAddress")
                or organisation.email
                or f"octo@{organisation.slug}.invalid",
                contact_phone=contact.get("phoneNumber", "")[:40],
                language=language[:5],
                buyer_organisation=organisation,
                hold_for=hold_for,
                buyer_reference=reseller_reference,
                notes=notes,
            )
    except BaseException:
        OctoBooking.objects.filter(pk=octo_booking.pk, booking__isnull=True).delete()
        raise
    octo_booking.booking = booking
    octo_booking.save(update_fields=["booking", "updated_at"])
    return octo_booking


def _replay(existing: OctoBooking, organisation) -> OctoBooking:
    """The answer to a uuid already known: the same partner's booking again (idempotency)."""
    if existing.organisation_id != organisation.pk:
        # The reservation endpoint knows no INVALID_BOOKING_UUID: the uuid is simply taken.
        raise UnprocessableEntity(_("This uuid was already used for another booking."))
    if existing.booking_id is None:
        raise UnprocessableEntity(_("A reservation with this uuid is in progress: retry."))
    return OctoBooking.objects.select_related("booking", "product").get(pk=existing.pk)


def _ensure_holdable(octo_booking):
    booking = octo_booking.booking
    if booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT) and (
        booking.expires_at and booking.expires_at <= timezone.now()
    ):
        raise InvalidBookingUuid(
            _("This reservation has expired; the places were released."),
            value=str(octo_booking.uuid),
        )


def _contact_changes(contact: dict, reseller_reference, notes) -> dict:
    changes = {}
    name = _contact_name(contact)
    if name:
        changes["contact_name"] = name[:200]
    if contact.get("emailAddress"):
        changes["contact_email"] = contact["emailAddress"]
    if contact.get("phoneNumber"):
        changes["contact_phone"] = contact["phoneNumber"][:40]
    if reseller_reference is not None:
        changes["buyer_reference"] = reseller_reference
    if notes is not None:
        changes["notes"] = notes
    return changes


def _merge_item_contacts(octo_booking, raw_items) -> None:
    if raw_items is None:
        return
    if not isinstance(raw_items, list):
        raise BadRequest(_("unitItems must be a list."))
    by_uuid = {item["uuid"]: item for item in octo_booking.unit_items}
    for raw in raw_items:
        if not isinstance(raw, dict):
            raise BadRequest(_("unitItems must be a list."))
        item_uuid = (
            _body_uuid(raw["uuid"], "unitItems.uuid") if raw.get("uuid") is not None else None
        )
        if item_uuid in by_uuid:
            item = by_uuid[item_uuid]
            item["contact"] = {**item["contact"], **_contact(raw.get("contact"))}
            reference = _text(raw, "resellerReference", 60)
            if reference is not None:
                item["resellerReference"] = reference


def octo_booking_confirm(*, organisation, uuid, data: dict) -> OctoBooking:
    """POST /bookings/{uuid}/confirm: the traveller's contact, then confirmation on the
    partner's account within its credit (else the booking stays ON_HOLD, with the reason)."""
    octo_booking = octo_booking_get(organisation=organisation, uuid=uuid)
    booking = octo_booking.booking
    if booking.status == BookingStatus.CONFIRMED:
        return octo_booking
    if "contact" not in data:
        raise BadRequest(_("contact is required to confirm a booking."))
    contact = _contact(data.get("contact"))
    reseller_reference = _text(data, "resellerReference", 60)
    _merge_item_contacts(octo_booking, data.get("unitItems"))
    _ensure_holdable(octo_booking)
    if booking.status != BookingStatus.HELD and booking.status != BookingStatus.PENDING_PAYMENT:
        raise UnprocessableEntity(_("Only a booking ON_HOLD can be confirmed."))
    with engine_errors():
        changes = _contact_changes(contact, reseller_reference, None)
        if changes:
            booking_services.booking_contact_update(booking=booking, **changes)
        confirm_on_account(booking=booking, organisation=organisation)
    if reseller_reference is not None:
        octo_booking.reseller_reference = reseller_reference
    octo_booking.save(update_fields=["unit_items", "reseller_reference", "updated_at"])
    booking.refresh_from_db()
    return octo_booking


def octo_booking_cancel(*, organisation, uuid, data: dict) -> OctoBooking:
    """POST /bookings/{uuid}/cancel: releases the places; a confirmed booking carries the
    penalty of its cancellation tiers. Cancelling twice is a no-op."""
    octo_booking = octo_booking_get(organisation=organisation, uuid=uuid)
    booking = octo_booking.booking
    reason = _text(data, "reason", 500)
    if booking.status == BookingStatus.CANCELLED:
        return octo_booking
    if booking.status not in (
        BookingStatus.HELD,
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.CONFIRMED,
    ):
        raise UnprocessableEntity(_("This booking can no longer be cancelled."))
    with engine_errors():
        booking_services.booking_cancel(
            booking=booking, reason=CancelReason.BUYER, note=reason or ""
        )
    booking.refresh_from_db()
    return octo_booking


def octo_booking_extend(*, organisation, uuid, data: dict) -> OctoBooking:
    """POST /bookings/{uuid}/extend: the hold lasts `expirationMinutes` more from now (never
    past the operator's cut-off)."""
    octo_booking = octo_booking_get(organisation=organisation, uuid=uuid)
    booking = octo_booking.booking
    hold_for = _expiration(data) or timedelta(minutes=30)
    _ensure_holdable(octo_booking)
    if booking.status not in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT):
        raise UnprocessableEntity(_("Only a booking ON_HOLD can be extended."))
    with engine_errors():
        booking_services.booking_extend_option(booking=booking, until=timezone.now() + hold_for)
    booking.refresh_from_db()
    return octo_booking


def octo_booking_update(*, organisation, uuid, data: dict) -> OctoBooking:
    """PATCH /bookings/{uuid}: contact, references and notes; another availability or other
    unit items re-book the line through the engine's amendment (same product and option)."""
    octo_booking = octo_booking_get(organisation=organisation, uuid=uuid)
    booking = octo_booking.booking
    product = product_get(data.get("productId", octo_booking.product.slug))
    if product.pk != octo_booking.product_id:
        raise UnprocessableEntity(
            _("The product of a booking cannot change: cancel it and book again.")
        )
    unit_type = option_get(product, data.get("optionId", octo_booking.option_id))
    if data.get("optionId", octo_booking.option_id) != octo_booking.option_id:
        raise UnprocessableEntity(
            _("The option of a booking cannot change: cancel it and book again.")
        )
    if booking.status not in (
        BookingStatus.HELD,
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.CONFIRMED,
    ):
        raise UnprocessableEntity(_("This booking can no longer be changed."))
    _ensure_holdable(octo_booking)
    contact = _contact(data.get("contact"))
    reseller_reference = _text(data, "resellerReference", 60)
    notes = _text(data, "notes", 2000)
    hold_for = _expiration(data)
    new_items = None
    if data.get("unitItems") is not None:
        new_items = _unit_items(product, unit_type, data["unitItems"])
    place = None
    if data.get("availabilityId") is not None and data["availabilityId"] != (
        octo_booking.availability_id
    ):
        place = place_get(product, unit_type, data["availabilityId"])
        if not place.open:
            raise InvalidAvailabilityId(
                _("This availability is closed or already started."),
                value=data["availabilityId"],
            )
    with engine_errors():
        if place is not None or new_items is not None:
            line = _primary_line(octo_booking)
            if line is None or line.status != LineStatus.ACTIVE:
                raise UnprocessableEntity(_("This booking can no longer be changed."))
            if place is None and octo_booking.availability_id:
                place = place_get(product, unit_type, octo_booking.availability_id)
            request = _line_request(product, unit_type, place, new_items or octo_booking.unit_items)
            changes = {"day": request.day}
            if request.slot is not None:
                changes["slot"] = request.slot
            if product.kind == ProductKind.ACCOMMODATION:
                changes.update(check_out=request.check_out, units=request.units, pax=request.pax)
            elif product.kind == ProductKind.GOODS:
                changes["quantity"] = request.quantity
            elif request.pax.seats:
                changes["pax"] = request.pax
            else:
                changes["units"] = request.units
            booking_services.booking_amend(line=line, **changes)
        changes = _contact_changes(contact, reseller_reference, notes)
        if changes:
            booking_services.booking_contact_update(booking=booking, **changes)
        if hold_for is not None and booking.status == BookingStatus.HELD:
            booking_services.booking_extend_option(booking=booking, until=timezone.now() + hold_for)
    if new_items is not None:
        octo_booking.unit_items = new_items
    if place is not None:
        octo_booking.availability_id = place.id
    if reseller_reference is not None:
        octo_booking.reseller_reference = reseller_reference
    octo_booking.save(
        update_fields=["unit_items", "availability_id", "reseller_reference", "updated_at"]
    )
    booking.refresh_from_db()
    return octo_booking
