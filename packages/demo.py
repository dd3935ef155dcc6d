"""Demo packages built from the operators' demo products (looked up by slug); the stories and
packages are data (packages/demo_data/packages.yaml).

Idempotent by slug. A package whose products are missing or not published is skipped with a
printed note, so that the demo never crashes."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError
from django.db import transaction

from marketplace.demo_data import demo_data
from operators.models import CancellationPolicy, CancellationTier, Language, Product, Theme
from places.models import Comune

from . import services
from .models import ChildReduction, HeritageStory, Package

D = Decimal
VALID_FROM = date(2027, 3, 1)
VALID_UNTIL = date(2027, 10, 31)

TERMS = {
    "insurer": "Assicurazioni Esempio S.p.A. (demo)",
    "insurance_policy_number": "RC-DMC-2027-0042",
    "insolvency_protector": "Fondo di garanzia viaggi Esempio (demo)",
    "insolvency_policy_number": "FG-2027-1187",
    "deposit_percent": Decimal("30"),
    "balance_days_before": 30,
}


def _component(entry: dict) -> tuple:
    """A component of packages/demo_data/packages.yaml as (slug, unit type, day, options)."""
    options = {
        key: value for key, value in entry.items() if key not in ("product", "unit_type", "day")
    }
    if "time" in options:
        options["time"] = time.fromisoformat(str(options["time"]))
    if "alternative" in options:
        options["alternative"] = tuple(options["alternative"])
    return (entry["product"], entry.get("unit_type"), entry["day"], options)


def _package(entry: dict) -> dict:
    spec = dict(entry)
    spec["components"] = [_component(c) for c in entry["components"]]
    if "markup_value" in entry.get("pricing", {}):
        spec["pricing"] = {**entry["pricing"], "markup_value": D(entry["pricing"]["markup_value"])}
    if "season_prices" in entry:
        spec["season_prices"] = [
            (
                p["name"],
                p["start"],
                p["end"],
                D(p["price_per_person"]),
                D(p["single_supplement"]),
            )
            for p in entry["season_prices"]
        ]
    if "child_reductions" in entry:
        spec["child_reductions"] = [
            (r["age_min"], r["age_max"], D(r["reduction_percent"]))
            for r in entry["child_reductions"]
        ]
    return spec


@cache
def _data() -> dict:
    return demo_data("packages", "packages")


def story_data() -> list[dict]:
    """The demo heritage stories (packages/demo_data/packages.yaml)."""
    return [dict(story) for story in _data()["stories"]]


def package_data() -> list[dict]:
    """The demo packages (packages/demo_data/packages.yaml), with money as Decimal."""
    return [_package(entry) for entry in _data()["packages"]]


class Skip(Exception):
    pass


def _policy() -> CancellationPolicy:
    policy, created = CancellationPolicy.objects.get_or_create(
        name="Pacchetti DMC – condizioni standard",
        organisation=None,
        defaults={
            "description": "Penali di recesso del viaggiatore per i pacchetti della DMC.",
        },
    )
    if created:
        for days, percent in ((45, 10), (30, 25), (15, 50), (7, 75), (2, 100)):
            CancellationTier.objects.create(
                policy=policy, days_before=days, penalty_percent=Decimal(percent)
            )
    return policy


def _stories() -> dict[str, HeritageStory]:
    out = {}
    for data in story_data():
        data = dict(data)
        comune = Comune.objects.filter(name=data.pop("comune")).first()
        story, _ = HeritageStory.objects.update_or_create(
            slug=data.pop("slug"), defaults={**data, "title": data["title_it"], "comune": comune}
        )
        out[story.slug] = story
    return out


def _product(slug: str, unit_name: str | None):
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise Skip(f"product {slug!r} is missing")
    if product.status != "published":
        raise Skip(f"product {slug!r} is {product.status}")
    unit_type = None
    if unit_name:
        unit_type = product.unit_types.filter(name_en=unit_name).first()
        if unit_type is None:
            raise Skip(f"unit type {unit_name!r} of {slug!r} is missing")
    return product, unit_type


def _build(spec: dict, stories: dict, policy: CancellationPolicy) -> Package:
    resolved = []
    for slug, unit_name, day, options in spec["components"]:
        product, unit_type = _product(slug, unit_name)
        alternative = None
        if "alternative" in options:
            try:
                alternative = _product(*options["alternative"])
            except Skip:
                alternative = None  # the package works without it
        resolved.append((product, unit_type, day, options, alternative))

    pricing = dict(spec.get("pricing", {}))
    if "rounding_step" in pricing:
        pricing["rounding_step"] = Decimal(pricing["rounding_step"])
    fixed = pricing.get("pricing_mode") == "fixed"
    package = services.package_create(
        data={
            "slug": spec["slug"],
            "title_it": spec["title_it"],
            "title_en": spec["title_en"],
            "summary_it": spec.get("summary_it", ""),
            "summary_en": spec.get("summary_en", ""),
            "story_it": spec.get("story_it", ""),
            "story_en": spec.get("story_en", ""),
            "itinerary_it": spec.get("itinerary_it", ""),
            "itinerary_en": spec.get("itinerary_en", ""),
            "meals_it": spec.get("meals_it", ""),
            "meals_en": spec.get("meals_en", ""),
            "accessibility_it": "Percorsi in gran parte in piano; chiedeteci per le esigenze "
            "di mobilità.",
            "accessibility_en": "Mostly level routes; ask us about mobility needs.",
            "duration_days": spec["days"],
            "duration_nights": spec["nights"],
            "min_pax": spec["min_pax"],
            "max_pax": spec["max_pax"],
            "valid_from": VALID_FROM,
            "valid_until": VALID_UNTIL,
            "heritage_story": stories.get(spec.get("story")),
            "cancellation_policy": policy,
            "departure_mode": "fixed" if "departures" in spec else "on_request",
            "guarantee_min_pax": spec.get("guarantee_min_pax"),
            "guarantee_cutoff_days": spec.get("guarantee_cutoff_days", 7),
            "themes": list(Theme.objects.filter(slug__in=spec.get("themes", []))),
            "languages": list(Language.objects.filter(code__in=["it", "en"])),
            **pricing,
            **TERMS,
        }
    )
    for position, (product, unit_type, day, options, alternative) in enumerate(resolved):
        data = {
            "product": product,
            "unit_type": unit_type,
            "day_offset": day - 1,
            "position": position,
            "quantity_rule": options.get("quantity_rule", "per_person"),
            "required": options.get("required", True),
            "slot_rule": options.get("slot_rule", "first_after"),
            "time": options.get("time"),
        }
        if alternative is not None:
            data["alternative_product"], data["alternative_unit_type"] = alternative
        services.component_add(package=package, data=data)
    if fixed:
        for name, start, end, price, single in spec["season_prices"]:
            services.season_price_add(
                package=package,
                data={
                    "name": name,
                    "start_date": start,
                    "end_date": end,
                    "price_per_person": price,
                    "single_supplement": single,
                },
            )
        for low, high, percent in spec.get("child_reductions", []):
            ChildReduction.objects.create(
                package=package, age_min=low, age_max=high, reduction_percent=percent
            )
    if "departures" in spec:
        series = spec["departures"]
        services.departures_create_series(
            package=package,
            start=date(2027, 4, 1),
            end=VALID_UNTIL,
            weekdays=series["weekdays"],
            capacity=series["capacity"],
            min_pax=series["min_pax"],
        )
    services.package_publish(package=package)
    return package


def seed(context: dict) -> None:
    stories = _stories()
    policy = _policy()
    made, skipped = [], []
    for spec in package_data():
        if Package.objects.filter(slug=spec["slug"]).exists():
            made.append(spec["slug"])
            continue
        try:
            with transaction.atomic():
                _build(spec, stories, policy)
            made.append(spec["slug"])
        except (Skip, ValidationError) as exc:
            reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            skipped.append(spec["slug"])
            print(f"  packages: skipped {spec['slug']}: {reason}")
    context["packages"] = {"packages": made, "skipped": skipped}
