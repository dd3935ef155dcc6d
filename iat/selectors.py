"""Reads of the IAT network."""

from collections import Counter
from datetime import date

from django.db.models import Prefetch, QuerySet

from .models import Contact, MaterialStock, Office, OpeningSeason


def offices_public(*, comune=None) -> QuerySet[Office]:
    qs = Office.objects.filter(is_active=True).select_related("comune")
    if comune is not None:
        qs = qs.filter(comune=comune)
    return qs.prefetch_related(
        "exceptions",
        Prefetch("seasons", queryset=OpeningSeason.objects.prefetch_related("hours")),
    )


def offices_for_organisation(organisation) -> QuerySet[Office]:
    return Office.objects.filter(organisation=organisation, is_active=True)


def contacts_of_day(*, office: Office, day: date) -> QuerySet[Contact]:
    return Contact.objects.filter(office=office, at__date=day).select_related("booking")


def stock_of_office(office: Office) -> QuerySet[MaterialStock]:
    return MaterialStock.objects.filter(office=office).select_related("material")


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def contact_report(*, year: int, month: int, offices) -> dict:
    """Monthly contact figures: contacts and visitors by channel, origin, topic, language."""
    start, end = month_bounds(year, month)
    rows = Contact.objects.filter(
        office__in=offices, at__date__gte=start, at__date__lt=end
    ).values_list(
        "office__name", "channel", "origin", "party_size", "language", "topics", "booking_id"
    )
    by = {k: Counter() for k in ("office", "channel", "origin", "language", "topic")}
    visitors_by_origin: Counter = Counter()
    contacts = visitors = sales_links = 0
    for office_name, channel, origin, party, language, topics, booking_id in rows:
        contacts += 1
        visitors += party
        sales_links += booking_id is not None
        by["office"][office_name] += 1
        by["channel"][channel] += 1
        by["origin"][origin] += 1
        visitors_by_origin[origin] += party
        by["language"][language] += 1
        for topic in topics:
            by["topic"][topic] += 1
    return {
        "year": year,
        "month": month,
        "contacts": contacts,
        "visitors": visitors,
        "by": by,
        "visitors_by_origin": visitors_by_origin,
        "sales": sales_links,
    }
