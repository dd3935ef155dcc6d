"""OCTO's Booking object from a booking of the engine. What the partner pays comes from
trade.pricing; no operator net, commission or margin is ever part of it."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from bookings.models import BookingStatus, CancelReason

from .availability import availability_dict, place_get, utc
from .catalogue import (
    option_get,
    party_price,
    pricing_dict,
    product_dict,
    quote_kwargs_for,
    unit_dict,
    unit_price,
    units_of,
)
from .errors import OctoError


def octo_status(booking) -> str:
    status = booking.status
    if status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT):
        if booking.expires_at and booking.expires_at <= timezone.now():
            return "EXPIRED"
        return "ON_HOLD"
    if status == BookingStatus.CONFIRMED:
        return "CONFIRMED"
    if status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        return "REDEEMED" if status == BookingStatus.COMPLETED else "CONFIRMED"
    if booking.cancel_reason == CancelReason.EXPIRED:
        return "EXPIRED"
    return "CANCELLED"


def _contact(name="", email="", phone="", extra=None, notes=None) -> dict:
    extra = extra or {}
    first = extra.get("firstName")
    last = extra.get("lastName")
    full = extra.get("fullName") or name or " ".join(v for v in (first, last) if v) or None
    if full and not (first or last):
        first, _sep, last = full.partition(" ")
    return {
        "fullName": full,
        "firstName": first or None,
        "lastName": last or None,
        "emailAddress": extra.get("emailAddress") or email or None,
        "phoneNumber": extra.get("phoneNumber") or phone or None,
        "locales": [],
        "postalCode": None,
        "country": extra.get("country"),
        "notes": notes,
    }


def _refund(booking) -> str:
    if not booking.penalty_total:
        return "FULL"
    lines_total = sum(
        (ln.retail_amount for ln in booking.lines.all() if ln.parent_id is None), Decimal("0")
    )
    return "NONE" if booking.penalty_total >= lines_total else "PARTIAL"


def booking_dict(organisation, octo_booking, *, pricing: bool) -> dict:
    booking = octo_booking.booking
    product = octo_booking.product
    status = octo_status(booking)
    unit_type = option_get(product, octo_booking.option_id)
    units = {u.id: u for u in units_of(product, unit_type)}
    line = next(
        (ln for ln in booking.lines.all() if ln.parent_id is None),
        None,
    )
    place = None
    if octo_booking.availability_id:
        try:
            place = place_get(product, unit_type, octo_booking.availability_id)
        except OctoError:
            place = None
    day = line.service_date if line else timezone.localdate()
    night = place.night if place else None
    confirmed = status in ("CONFIRMED", "REDEEMED")
    voucher = None
    if confirmed:
        voucher = {
            "redemptionMethod": "DIGITAL",
            "utcRedeemedAt": utc(line.redeemed_at) if line and line.redeemed_at else None,
            "deliveryOptions": [
                {
                    "deliveryFormat": "PDF_URL",
                    "deliveryValue": reverse("booking-voucher", args=[booking.reference]),
                }
            ],
        }
    cancellation = None
    if booking.status == BookingStatus.CANCELLED:
        cancellation = {
            "refund": _refund(booking),
            "reason": next((e.reason for e in booking.events.all() if e.action == "cancel"), None)
            or None,
            "utcCancelledAt": utc(booking.cancelled_at or booking.updated_at),
        }
    item_status = status
    unit_items = []
    for item in octo_booking.unit_items:
        unit = units.get(item["unitId"])
        entry = {
            "uuid": item["uuid"],
            "resellerReference": item.get("resellerReference"),
            "supplierReference": booking.reference,
            "unitId": item["unitId"],
            "status": item_status,
            "utcRedeemedAt": utc(line.redeemed_at) if line and line.redeemed_at else None,
            "contact": _contact(extra=item.get("contact")),
            "ticket": None,
        }
        if unit is not None:
            entry["unit"] = unit_dict(
                organisation, product, unit, pricing=pricing, unit_type=unit_type
            )
            if pricing:
                price = unit_price(
                    organisation, product, unit, day, unit_type=unit_type, night=night
                )
                if price:
                    entry["pricing"] = pricing_dict(*price)
        unit_items.append(entry)
    product_data = product_dict(organisation, product, pricing=pricing)
    option_data = next(
        (o for o in product_data["options"] if o["id"] == octo_booking.option_id),
        product_data["options"][0],
    )
    data = {
        "id": str(octo_booking.uuid),
        "uuid": str(octo_booking.uuid),
        "testMode": False,
        "resellerReference": booking.buyer_reference or None,
        "supplierReference": booking.reference,
        "status": status,
        "utcCreatedAt": utc(booking.created_at),
        "utcUpdatedAt": utc(max(booking.updated_at, octo_booking.updated_at)),
        "utcExpiresAt": utc(booking.expires_at)
        if status == "ON_HOLD" and booking.expires_at
        else None,
        "utcRedeemedAt": utc(line.redeemed_at) if line and line.redeemed_at else None,
        "utcConfirmedAt": utc(booking.confirmed_at) if booking.confirmed_at else None,
        "productId": product.slug,
        "product": product_data,
        "optionId": octo_booking.option_id,
        "option": option_data,
        "cancellable": status in ("ON_HOLD", "CONFIRMED"),
        "cancellation": cancellation,
        "freesale": False,
        "availabilityId": octo_booking.availability_id or None,
        "availability": availability_dict(
            organisation, product, unit_type, place, party=[], pricing=False
        )
        if place
        else None,
        "contact": _contact(
            booking.contact_name,
            booking.contact_email,
            booking.contact_phone,
            notes=booking.notes or None,
        ),
        "notes": booking.notes or None,
        "deliveryMethods": ["VOUCHER"],
        "voucher": voucher,
        "unitItems": unit_items,
    }
    if pricing:
        party = [units[i["unitId"]] for i in octo_booking.unit_items if i["unitId"] in units]
        total = None
        if party:
            total = party_price(
                organisation,
                product,
                **quote_kwargs_for(product, party, day, unit_type=unit_type, night=night),
            )
        data["pricing"] = pricing_dict(*(total or (Decimal("0"), Decimal("0"))))
    return data
