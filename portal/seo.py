"""schema.org JSON-LD of the portal's pages (TouristAttraction, Event, TouristTrip, Product)."""

from django.conf import settings
from django.templatetags.static import static

from .models import ComunePage, Event, Itinerary, Story


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _image(obj) -> dict:
    return {"image": _url(static(obj.image))} if getattr(obj, "image", "") else {}


def jsonld_for(obj) -> dict | None:
    if isinstance(obj, Story):
        places = list(obj.places.all())
        return {
            "@context": "https://schema.org",
            "@type": "TouristAttraction",
            "name": obj.title,
            "description": obj.summary,
            "url": _url(obj.get_absolute_url()),
            **_image(obj),
            "geo": (
                {
                    "@type": "GeoCoordinates",
                    "latitude": float(places[0].latitude),
                    "longitude": float(places[0].longitude),
                }
                if places
                else None
            ),
            "containedInPlace": [{"@type": "City", "name": c.name} for c in obj.comuni.all()],
        }
    if isinstance(obj, ComunePage):
        return {
            "@context": "https://schema.org",
            "@type": "TouristDestination",
            "name": obj.comune.name,
            "description": obj.tagline,
            "url": _url(obj.get_absolute_url()),
            **_image(obj),
        }
    if isinstance(obj, Event):
        location = {
            "@type": "Place",
            "name": obj.place.name if obj.place else obj.comune.name,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": obj.comune.name,
                "addressRegion": "LU",
                "addressCountry": "IT",
            },
        }
        return {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": obj.title,
            "description": obj.summary,
            "startDate": obj.starts_on.isoformat(),
            "endDate": obj.ends_on.isoformat(),
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "eventStatus": "https://schema.org/EventScheduled",
            "location": location,
            "url": _url(obj.get_absolute_url()),
            **_image(obj),
        }
    if isinstance(obj, Itinerary):
        return {
            "@context": "https://schema.org",
            "@type": "TouristTrip",
            "name": obj.title,
            "description": obj.summary,
            "url": _url(obj.get_absolute_url()),
            "itinerary": {
                "@type": "ItemList",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": n,
                        "item": {"@type": "Place", "name": stop.place.name},
                    }
                    for n, stop in enumerate(obj.stops.all(), start=1)
                ],
            },
            **_image(obj),
        }
    return None
