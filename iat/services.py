"""Writes of the IAT network: contacts at the desk, material stock."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import codes
from .errors import InvalidContact, StockTooLow, UnknownOrigin
from .models import VISITOR_LANGUAGES, Contact, ContactChannel, MaterialStock, Office, Topic

LANGUAGE_CODES = {code for code, _name in VISITOR_LANGUAGES}


def contact_record(
    *,
    office: Office,
    actor,
    channel: str,
    origin: str,
    party_size: int = 1,
    language: str,
    topics: list[str],
    at: datetime | None = None,
    booking=None,
) -> Contact:
    """Record one visitor contact. The origin must be in the code lists; a linked sale must be
    a booking made at the IAT desk."""
    code = codes.normalise_origin(origin)
    if not code:
        raise UnknownOrigin()
    if channel not in ContactChannel.values:
        raise InvalidContact(_("Unknown channel."))
    unknown = [t for t in topics if t not in Topic.values]
    if unknown:
        raise InvalidContact(_("Unknown topic: %(topic)s") % {"topic": unknown[0]})
    if not 1 <= int(party_size) <= 200:
        raise InvalidContact(_("The party size must be between 1 and 200."))
    if language not in LANGUAGE_CODES:
        raise InvalidContact(_("Unknown language."))
    if booking is not None and booking.channel != "iat":
        raise InvalidContact(_("Only a sale made at the IAT desk can be linked."))
    contact = Contact(
        office=office,
        at=at or timezone.now(),
        channel=channel,
        origin=code,
        party_size=int(party_size),
        language=language,
        topics=sorted(set(topics), key=Topic.values.index),
        booking=booking,
        recorded_by=actor,
    )
    contact.save()
    return contact


def contact_delete(*, contact: Contact) -> None:
    contact.delete()


@transaction.atomic
def stock_adjust(*, stock: MaterialStock, delta: int) -> MaterialStock:
    """Add (delivery) or take (handed out) material; the stock never goes below zero."""
    locked = MaterialStock.objects.select_for_update().get(pk=stock.pk)
    if locked.quantity + delta < 0:
        raise StockTooLow()
    MaterialStock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + delta)
    locked.refresh_from_db(fields=["quantity"])
    return locked
