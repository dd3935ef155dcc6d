"""Destination pages: comuni, themes, stories, events (with an iCalendar feed), itineraries.
Staff preview unpublished content with `?preview=1`."""

from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from icalendar import Calendar
from icalendar import Event as ICalEvent

from places.models import Comune

from .. import selectors
from ..maps import route_map
from ..models import ComunePage, Event, Itinerary, Story, StoryKind, ThemePage


def _preview(request) -> bool:
    return request.GET.get("preview") == "1" and selectors.can_preview(request)


def _page(request, queryset, per_page=12):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def comune_list(request):
    return render(request, "portal/comune_list.html", {"pages": selectors.comune_pages()})


def comune_detail(request, slug):
    page = selectors.content_get(
        ComunePage,
        slug=slug,
        preview=_preview(request),
        queryset=ComunePage.objects.select_related("comune").prefetch_related(
            "themes", "products", "packages"
        ),
    )
    comune = page.comune
    return render(
        request,
        "portal/comune_detail.html",
        {
            "page": page,
            "stories": selectors.stories(comune=comune)[:6],
            "events": selectors.upcoming_events(comune=comune)[:4],
            "offer": selectors.offer_for(page, comuni_ids=[comune.pk]),
        },
    )


def theme_detail(request, slug):
    page = selectors.content_get(
        ThemePage,
        slug=slug,
        preview=_preview(request),
        queryset=ThemePage.objects.select_related("theme").prefetch_related(
            "themes", "products", "packages"
        ),
    )
    theme = page.theme
    comuni_ids = list(Comune.objects.filter(in_destination=True).values_list("pk", flat=True))
    offer = selectors.offer_for(page, comuni_ids=comuni_ids)
    themed = list(
        selectors.published_products().filter(themes=theme).order_by("-published_at", "title")[:6]
    )
    return render(
        request,
        "portal/theme_detail.html",
        {
            "page": page,
            "stories": selectors.stories(theme=theme)[:6],
            "events": selectors.upcoming_events(theme=theme)[:4],
            "offer": selectors.Offer(products=themed or offer.products, packages=offer.packages),
        },
    )


def story_list(request):
    kind = request.GET.get("kind")
    qs = selectors.stories()
    if kind in StoryKind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "portal/story_list.html",
        {"page_obj": _page(request, qs), "kinds": StoryKind.choices, "kind": kind},
    )


def story_detail(request, slug):
    story = selectors.content_get(
        Story,
        slug=slug,
        preview=_preview(request),
        queryset=Story.objects.prefetch_related(
            "comuni", "places", "themes", "products", "packages"
        ),
    )
    comuni = list(story.comuni.all())
    return render(
        request,
        "portal/story_detail.html",
        {
            "story": story,
            "comuni": comuni,
            "offer": selectors.offer_for(story, comuni_ids=[c.pk for c in comuni]),
            "more": selectors.stories().exclude(pk=story.pk).filter(comuni__in=comuni)[:3],
        },
    )


def event_list(request):
    return render(
        request, "portal/event_list.html", {"page_obj": _page(request, selectors.upcoming_events())}
    )


def event_detail(request, slug):
    event = selectors.content_get(
        Event,
        slug=slug,
        preview=_preview(request),
        queryset=Event.objects.select_related("comune", "place").prefetch_related(
            "themes", "products", "packages"
        ),
    )
    return render(
        request,
        "portal/event_detail.html",
        {"event": event, "offer": selectors.offer_for(event, comuni_ids=[event.comune_id])},
    )


def _ical(events) -> HttpResponse:
    cal = Calendar()
    cal.add("prodid", "-//Piana di Lucca DMC//Discover Piana di Lucca//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Discover Piana di Lucca")
    now = timezone.now()
    for event in events:
        item = ICalEvent()
        item.add("uid", f"event-{event.slug}-{event.starts_on:%Y}@pianadilucca")
        item.add("dtstamp", now)
        item.add("summary", event.title)
        item.add("dtstart", event.starts_on)
        item.add("dtend", event.ends_on + timedelta(days=1))
        item.add("description", event.summary)
        item.add(
            "location",
            f"{event.place.name}, {event.comune.name}" if event.place else event.comune.name,
        )
        item.add("url", settings.SITE_URL + event.get_absolute_url())
        cal.add_component(item)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="piana-di-lucca-events.ics"'
    return response


def events_ical(request):
    return _ical(selectors.upcoming_events())


def event_ical(request, slug):
    event = selectors.content_get(
        Event, slug=slug, queryset=Event.objects.select_related("comune", "place")
    )
    return _ical([event])


def itinerary_list(request):
    return render(request, "portal/itinerary_list.html", {"itineraries": selectors.itineraries()})


def itinerary_detail(request, slug):
    itinerary = selectors.content_get(
        Itinerary,
        slug=slug,
        preview=_preview(request),
        queryset=selectors.itinerary_detail_queryset(),
    )
    stops = list(itinerary.stops.all())
    comuni_ids = sorted({s.place.comune_id for s in stops})
    days: dict[int, list] = {}
    for number, stop in enumerate(stops, start=1):
        stop.number = number
        days.setdefault(stop.day, []).append(stop)
    landmarks = Comune.objects.filter(in_destination=True)
    return render(
        request,
        "portal/itinerary_detail.html",
        {
            "itinerary": itinerary,
            "days": sorted(days.items()),
            "map": route_map(stops, landmarks=landmarks),
            "offer": selectors.offer_for(itinerary, comuni_ids=comuni_ids),
            "language": get_language(),
        },
    )
