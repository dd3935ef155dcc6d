"""Load the portal's destination content from the YAML files in `portal/data/`.

Translatable fields are mappings `{it: …, en: …, de: …, fr: …}`; links to products and
packages are by slug, and a slug the catalogue does not have is skipped (the content stays).
Idempotent: every row is found by its slug and updated."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from operators.models import Product, ProductStatus, Theme
from packages.models import Package
from places.models import Comune

from .models import (
    ComunePage,
    ContentStatus,
    Event,
    Itinerary,
    ItineraryStop,
    Place,
    Story,
    ThemePage,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGS = [code for code, _name in settings.LANGUAGES]
IMAGE_CREDIT = "Illustration generated for the DMC (portal/art.py), CC0 1.0"


@dataclass
class LoadReport:
    counts: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)


def _read(name: str, directory: Path) -> list[dict]:
    with open(directory / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def _translated(prefix: str, values: dict | str | None) -> dict:
    if values is None:
        return {}
    if isinstance(values, str):
        values = {"it": values, "en": values}
    out = {f"{prefix}_{code}": (values.get(code) or "").strip() for code in LANGS}
    out[prefix] = out[f"{prefix}_it"]
    return out


def _comune(name: str) -> Comune:
    return Comune.objects.get(name=name)


def _next_occurrence(start: str, end: str, today: date) -> tuple[date, date]:
    """An annual event given as month-day, dated at its next occurrence that has not ended."""
    for year in (today.year, today.year + 1):
        s = date(year, *map(int, start.split("-")))
        e = date(year, *map(int, end.split("-")))
        if e < s:
            e = date(year + 1, e.month, e.day)
        if e >= today:
            return s, e
    raise ValueError(start)


class _Linker:
    def __init__(self, report: LoadReport):
        self.report = report
        self.products = dict(
            Product.objects.filter(status=ProductStatus.PUBLISHED).values_list("slug", "pk")
        )
        self.packages = dict(Package.objects.values_list("slug", "pk"))
        self.themes = dict(Theme.objects.values_list("slug", "pk"))
        self.places = dict(Place.objects.values_list("slug", "pk"))

    def _ids(self, kind: str, table: dict, slugs, owner: str) -> list[int]:
        ids = []
        for slug in slugs or ():
            if slug in table:
                ids.append(table[slug])
            else:
                self.report.skipped.append(f"{owner}: {kind} {slug!r} not found")
        return ids

    def link(self, obj, spec: dict):
        owner = f"{type(obj).__name__} {obj.slug}"
        obj.themes.set(self._ids("theme", self.themes, spec.get("themes"), owner))
        obj.products.set(self._ids("product", self.products, spec.get("products"), owner))
        obj.packages.set(self._ids("package", self.packages, spec.get("packages"), owner))
        if hasattr(obj, "places") and "places" in spec:
            obj.places.set(self._ids("place", self.places, spec["places"], owner))


def _common(spec: dict, kind: str) -> dict:
    return {
        "status": ContentStatus.PUBLISHED,
        "image": f"portal/img/{kind}/{spec['slug']}.svg",
        "image_credit": IMAGE_CREDIT,
        **_translated("image_alt", spec.get("image_alt") or spec.get("title") or spec.get("name")),
    }


@transaction.atomic
def portal_content_load(*, directory: Path = DATA_DIR, today: date | None = None) -> LoadReport:
    """Create or update the portal's places, comune and theme pages, stories, events and
    itineraries from the data files."""
    report = LoadReport()
    today = today or timezone.localdate()

    for spec in _read("places.yaml", directory):
        Place.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "comune": _comune(spec["comune"]),
                "latitude": Decimal(str(spec["lat"])),
                "longitude": Decimal(str(spec["lon"])),
                **_translated("name", spec["name"]),
            },
        )
    themes = _read("themes.yaml", directory)
    for spec in themes:  # a theme the catalogue does not have yet is added
        Theme.objects.get_or_create(
            slug=spec["theme"],
            defaults={
                "position": 50 + spec.get("position", 0),
                **_translated("name", spec.get("name") or spec["title"]),
            },
        )
    linker = _Linker(report)

    for spec in _read("comuni.yaml", directory):
        page, _ = ComunePage.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "comune": _comune(spec["comune"]),
                "iat_office": spec.get("iat_office", ""),
                "iat_address": spec.get("iat_address", ""),
                **_common({**spec, "title": dict.fromkeys(LANGS, spec["comune"])}, "comuni"),
                **{
                    k: v
                    for name in ("tagline", "intro", "what_to_see", "getting_there", "iat_hours")
                    for k, v in _translated(name, spec.get(name)).items()
                },
            },
        )
        linker.link(page, spec)
    for spec in themes:
        page, _ = ThemePage.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "theme_id": linker.themes.get(spec["theme"])
                or Theme.objects.get(slug=spec["theme"]).pk,
                "position": spec.get("position", 0),
                **_common(spec, "themes"),
                **_translated("title", spec["title"]),
                **_translated("intro", spec.get("intro")),
            },
        )
        linker.link(page, {**spec, "themes": [spec["theme"]]})
    for spec in _read("stories.yaml", directory):
        story, _ = Story.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "kind": spec["kind"],
                **_common(spec, "stories"),
                **_translated("title", spec["title"]),
                **_translated("summary", spec.get("summary")),
                **_translated("body", spec.get("body")),
            },
        )
        story.comuni.set([_comune(name) for name in spec["comuni"]])
        linker.link(story, spec)
    for spec in _read("events.yaml", directory):
        starts_on, ends_on = _next_occurrence(str(spec["start"]), str(spec["end"]), today)
        event, _ = Event.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "starts_on": starts_on,
                "ends_on": ends_on,
                "comune": _comune(spec["comune"]),
                "place_id": linker.places.get(spec.get("place")),
                **_common(spec, "events"),
                **_translated("title", spec["title"]),
                **_translated("summary", spec.get("summary")),
                **_translated("body", spec.get("body")),
                **_translated("times", spec.get("times")),
            },
        )
        linker.link(event, spec)
    for spec in _read("itineraries.yaml", directory):
        itinerary, _ = Itinerary.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                **_common(spec, "itineraries"),
                **_translated("title", spec["title"]),
                **_translated("summary", spec.get("summary")),
                **_translated("body", spec.get("body")),
            },
        )
        linker.link(itinerary, spec)
        itinerary.stops.all().delete()
        for position, stop in enumerate(spec.get("stops", [])):
            ItineraryStop.objects.create(
                itinerary=itinerary,
                day=stop["day"],
                position=position,
                place_id=linker.places[stop["place"]],
                **_translated("note", stop.get("note")),
            )
    for model in (Place, ComunePage, ThemePage, Story, Event, Itinerary):
        report.counts[model._meta.model_name] = model.objects.count()
    return report
