"""iCalendar feed of a product's slots (RFC 5545, with the `icalendar` package), with the
VTIMEZONE of the local zone."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .inventory import horizon_days


def slots_calendar(*, product, slots) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Piana di Lucca DMC//Operator slots//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{product.title} · Piana di Lucca")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "pianadilucca.example"
    stamp = timezone.now()
    for slot in slots:
        event = Event()
        event.add("uid", f"slot-{slot.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", timezone.localtime(slot.starts_at))
        event.add("dtend", timezone.localtime(slot.ends_at))
        taken = slot.sold + slot.held
        closed = slot.status == "closed"
        summary = f"{product.title}: {taken}/{slot.capacity}"
        event.add("summary", f"[closed] {summary}" if closed else summary)
        event.add(
            "description",
            f"Booked {slot.sold}, on hold {slot.held}, free {slot.available}."
            + (f"\n{slot.note}" if slot.note else ""),
        )
        if product.meeting_point:
            event.add("location", product.meeting_point)
        event.add("status", "CANCELLED" if closed else "CONFIRMED")
        cal.add_component(event)
    # Times carry TZID=Europe/Rome: the calendar ships that zone's VTIMEZONE (RFC 5545 3.6.5)
    # built by icalendar from the tz database, so clients do not have to guess the offsets.
    today = timezone.localdate()
    cal.add_missing_timezones(
        first_date=today.replace(month=1, day=1) - timedelta(days=366),
        last_date=today + timedelta(days=horizon_days() + 400),
    )
    return cal.to_ical()
