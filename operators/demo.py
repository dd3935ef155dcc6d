"""Demo listings of the Piana di Lucca operators (`manage.py seed_demo`). The catalogue is data
(operators/demo_data/products.yaml); this module turns it into rows. Idempotent: products are
matched by slug; rates, schedules and unit types are made once; inventory is topped up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from functools import cache

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation
from marketplace.demo_data import demo_data
from places.models import Comune

from . import services
from .media import photo_validate, thumbnail_for
from .models import (
    CancellationPolicy,
    CancellationTier,
    CurationEvent,
    GoodsStock,
    Language,
    NightInventory,
    OperatorContract,
    Product,
    ProductPhoto,
    ProductStatus,
    ScheduleRule,
    Theme,
    UnitType,
)
from .pricing import money

D = Decimal


@dataclass
class Unit:
    name_it: str
    name_en: str
    units: int
    price: str
    standard: int = 2
    max: int = 2
    children: int = 0
    min_stay: int = 1


@dataclass
class Spec:
    slug: str
    org: str
    kind: str
    comune: str
    title: tuple[str, str]
    summary: tuple[str, str]
    description: tuple[str, str]
    themes: tuple[str, ...] = ()
    langs: tuple[str, ...] = ("it", "en")
    price: str = "0"
    meeting: tuple[str, str] | None = None
    status: str = ProductStatus.PUBLISHED
    # slots: list of (weekdays, "HH:MM") and capacity
    times: tuple[tuple[str, str], ...] = ()
    capacity: int = 12
    duration: int = 120
    min_pax: int = 1
    max_pax: int | None = None
    per_unit: bool = False
    child: tuple[int, int, str] | None = None  # age band and price
    senior: str | None = None
    group: tuple[int, str] | None = None  # from N pax, price
    free_every: int | None = None
    category: str = ""
    units: tuple[Unit, ...] = ()
    stock: int = 0
    fulfilment: str = ""
    vat: str = "22.00"
    reason: str = ""
    extra: dict = field(default_factory=dict)


def _spec(data: dict) -> Spec:
    """A catalogue entry of operators/demo_data/products.yaml as a Spec (lists as tuples)."""

    def frozen(value):
        if isinstance(value, dict):
            return {key: frozen(v) for key, v in value.items()}
        return tuple(frozen(v) for v in value) if isinstance(value, list) else value

    values = {key: frozen(value) for key, value in data.items()}
    values["units"] = tuple(Unit(**unit) for unit in data.get("units", ()))
    return Spec(**values)


@cache
def specs() -> tuple[Spec, ...]:
    """The demo catalogue: 65 listings of the Piana's operators, read once from YAML."""
    return tuple(_spec(entry) for entry in demo_data("operators", "products"))


def _policies() -> tuple[CancellationPolicy, CancellationPolicy]:
    standard, _ = CancellationPolicy.objects.update_or_create(
        name="DMC standard",
        organisation=None,
        defaults={
            "description": (
                "More than 30 days before: free. 30 to 8 days: 30%. 7 to 2 days: 50%. "
                "Less than 2 days or no-show: 100%."
            )
        },
    )
    strict, _ = CancellationPolicy.objects.update_or_create(
        name="DMC accommodation (strict)",
        organisation=None,
        defaults={
            "description": (
                "More than 60 days before: free. 60 to 31 days: 30%. 30 to 15 days: 60%. "
                "14 days or less: 100%."
            )
        },
    )
    for policy, tiers in (
        (standard, [(30, "30"), (7, "50"), (1, "100")]),
        (strict, [(60, "30"), (30, "60"), (14, "100")]),
    ):
        for days, percent in tiers:
            CancellationTier.objects.update_or_create(
                policy=policy, days_before=days, defaults={"penalty_percent": D(percent)}
            )
    return standard, strict


def _high_season(today: date) -> tuple[date, date]:
    year = today.year if today <= date(today.year, 10, 31) else today.year + 1
    return max(date(year, 4, 1), today), date(year, 10, 31)


def _rates(product: Product, spec: Spec, organisation, unit_types: list, today: date) -> None:
    if product.rates.exists():
        return

    def rate(**data):
        data.setdefault("net_price", None)
        services.rate_save(product=product, data=data, by_operator=False)

    if spec.kind == "accommodation":
        start, end = _high_season(today)
        season = services.season_save(
            product=product, data={"name": "Alta stagione", "start_date": start, "end_date": end}
        )
        for unit_type, unit in unit_types:
            price = D(unit.price)
            rate(unit_type=unit_type, pax_category="unit", retail_price=price)
            rate(
                unit_type=unit_type,
                season=season,
                pax_category="unit",
                retail_price=money(price * D("1.25")),
            )
            if unit.max > unit.standard:
                rate(unit_type=unit_type, pax_category="adult", retail_price=D("30.00"))
        return
    category = "unit" if spec.per_unit or spec.kind == "goods" else "adult"
    # The standard price ends where the group band begins: overlapping rates are refused.
    band = {"max_group": spec.group[0] - 1} if spec.group else {}
    rate(pax_category=category, retail_price=D(spec.price), **band)
    if spec.child:
        low, high, price = spec.child
        rate(pax_category="child", age_min=low, age_max=high, retail_price=D(price))
        rate(pax_category="infant", age_min=0, age_max=low - 1, retail_price=D("0.00"))
    if spec.senior:
        rate(pax_category="senior", age_min=65, retail_price=D(spec.senior))
    if spec.group:
        size, price = spec.group
        rate(pax_category=category, min_group=size, retail_price=D(price))


def _inventory(product: Product, spec: Spec, today: date) -> list:
    unit_types = []
    if spec.kind in ("experience", "service"):
        for weekdays, at in spec.times:
            hh, mm = (int(x) for x in at.split(":"))
            ScheduleRule.objects.get_or_create(
                product=product,
                weekdays=weekdays,
                start_time=time(hh, mm),
                defaults={
                    "duration_minutes": spec.duration,
                    "capacity": spec.capacity,
                    "valid_from": today,
                },
            )
        services.slots_generate(product=product, start=today)
        # Closed on Christmas Day and New Year's Day, as most operators are.
        product.slots.filter(
            Q(date__month=12, date__day=25) | Q(date__month=1, date__day=1)
        ).update(status="closed", note="Festività")
    elif spec.kind == "accommodation":
        for unit in spec.units:
            unit_type = UnitType.objects.filter(product=product, name_en=unit.name_en).first()
            if unit_type is None:
                unit_type = services.unit_type_save(
                    product=product,
                    data={
                        "name_it": unit.name_it,
                        "name_en": unit.name_en,
                        "units": unit.units,
                        "standard_occupancy": unit.standard,
                        "max_occupancy": unit.max,
                        "max_children": unit.children,
                        "min_stay": unit.min_stay,
                    },
                    generate=False,
                )
            services.nights_generate(unit_type=unit_type, start=today)
            unit_types.append((unit_type, unit))
        _restrictions(product, [u for u, _ in unit_types], today)
    else:
        GoodsStock.objects.get_or_create(product=product, defaults={"quantity": spec.stock})
    return unit_types


def _restrictions(product: Product, unit_types: list, today: date) -> None:
    """Credible calendars: weekend minimum stays, summer minimums, closures, no Sunday
    arrivals."""
    nights = NightInventory.objects.filter(unit_type__in=unit_types, date__gte=today)
    if product.slug == "bb-le-mura":
        nights.filter(date__week_day__in=[6, 7]).update(min_stay=2)  # Friday, Saturday
    elif product.slug == "agriturismo-colle-verde":
        nights.filter(date__month__in=[7, 8]).update(min_stay=3)
    elif product.slug == "villa-camelie-country-house":
        nights.filter(date__month=1, date__day__gte=7).update(closed=True)
    elif product.slug == "hotel-san-frediano":
        nights.filter(date__week_day=1).update(closed_to_arrival=True)  # Sunday


def _coords(comune: Comune, index: int) -> tuple[Decimal | None, Decimal | None]:
    if comune.latitude is None:
        return None, None
    offset = D((index * 37) % 40 - 20) / D("2000")
    return (
        (comune.latitude + offset).quantize(D("0.000001")),
        (comune.longitude - offset).quantize(D("0.000001")),
    )


PHOTO_SLUGS = {
    "lucca-walls-guided-tour": ((232, 196, 150), (85, 101, 43), "Le Mura di Lucca"),
    "puccini-lucca-walk": ((240, 214, 170), (132, 52, 32), "Puccini"),
    "montecarlo-wine-tasting": ((245, 222, 179), (110, 40, 60), "Montecarlo DOC"),
    "compitese-olive-mill-visit": ((226, 232, 200), (85, 101, 43), "Olio del Compitese"),
    "hotel-san-frediano": ((238, 226, 206), (168, 68, 42), "Hotel San Frediano"),
    "villa-basilica-paper-workshop": ((240, 236, 222), (120, 110, 90), "Carta a mano"),
}


def _demo_photo(sky, land, caption: str):
    """A simple painted landscape (no downloads): sky, three hills, a caption."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (1200, 800), sky)
    draw = ImageDraw.Draw(img)
    for i, (height, shade) in enumerate(((470, 0), (540, 25), (620, 50))):
        colour = tuple(max(0, c - shade) for c in land)
        points = [(x, height + int(60 * ((x / 300 + i) % 2 - 1) ** 2)) for x in range(0, 1201, 50)]
        draw.polygon([(0, 800), *points, (1200, 800)], fill=colour)
    draw.ellipse((900, 110, 1010, 220), fill=(250, 236, 200))
    font = ImageFont.load_default(size=64)
    draw.text((60, 60), caption, fill=(36, 33, 29), font=font)
    out = BytesIO()
    img.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def _photos(product: Product) -> None:
    spec = PHOTO_SLUGS.get(product.slug)
    if spec is None or product.photos.exists():
        return
    sky, land, caption = spec
    upload = _demo_photo(sky, land, caption)
    photo_validate(upload)
    # Made directly (not with services.photo_add): seeding is not an edit to review.
    photo = ProductPhoto(product=product, alt_text=caption, position=1)
    photo.image.save(f"{product.slug}.jpg", upload, save=False)
    photo.thumbnail.save(f"{product.slug}-thumb.jpg", thumbnail_for(upload), save=False)
    photo.full_clean()
    photo.save()


def seed(context: dict) -> None:
    today = timezone.localdate()
    standard, strict = _policies()
    organisations = {
        o.slug: o for o in Organisation.objects.filter(slug__in={s.org for s in specs()})
    }
    for i, slug in enumerate(sorted(organisations)):
        OperatorContract.objects.update_or_create(
            organisation=organisations[slug],
            defaults={
                "commission_percent": D(15 + (i * 7) % 11),
                "valid_from": date(today.year, 1, 1),
                "signed_at": date(today.year - 1, 12, 1),
            },
        )
    comuni = {c.name: c for c in Comune.objects.all()}
    themes = {t.slug: t for t in Theme.objects.all()}
    languages = {lang.code: lang for lang in Language.objects.all()}
    dmc_actor = None
    from accounts.models import User

    dmc_actor = User.objects.filter(email="prodotto@pianadilucca.example").first()
    made = 0
    for index, spec in enumerate(specs()):
        organisation = organisations[spec.org]
        comune = comuni[spec.comune]
        lat, lng = _coords(comune, index)
        fields = {
            "organisation": organisation,
            "kind": spec.kind,
            "status": spec.status,
            "rejection_reason": spec.reason,
            "title": spec.title[0],
            "title_it": spec.title[0],
            "title_en": spec.title[1],
            "summary_it": spec.summary[0],
            "summary_en": spec.summary[1],
            "description_it": spec.description[0],
            "description_en": spec.description[1],
            "comune": comune,
            "address": organisation.address,
            "latitude": lat,
            "longitude": lng,
            "vat_rate": D(spec.vat),
            "cancellation_policy": strict if spec.kind == "accommodation" else standard,
            "duration_minutes": spec.duration if spec.kind in ("experience", "service") else None,
            "min_pax": spec.min_pax,
            "max_pax": spec.max_pax,
            "pricing_unit": "per_unit" if spec.per_unit else "per_person",
            "free_place_every": spec.free_every,
            "accommodation_category": spec.category,
            "fulfilment": spec.fulfilment,
            "check_in_time": time(14, 0) if spec.kind == "accommodation" else None,
            "check_out_time": time(10, 30) if spec.kind == "accommodation" else None,
            "published_at": timezone.now() if spec.status == ProductStatus.PUBLISHED else None,
            "submitted_at": timezone.now() if spec.status != ProductStatus.DRAFT else None,
        }
        if spec.meeting:
            fields["meeting_point_it"], fields["meeting_point_en"] = spec.meeting
        elif spec.kind in ("experience", "service"):
            fields["meeting_point_it"] = fields["meeting_point_en"] = organisation.address
        if spec.kind in ("experience", "service"):
            fields["inclusions_it"], fields["inclusions_en"] = _INCLUDED.get(spec.kind, ("", ""))
        for key, (it, en) in spec.extra.items():
            fields[f"{key}_it"], fields[f"{key}_en"] = it, en
        product, created = Product.objects.update_or_create(slug=spec.slug, defaults=fields)
        product.full_clean()
        product.themes.set([themes[t] for t in spec.themes])
        product.languages.set([languages[code] for code in spec.langs])
        unit_types = _inventory(product, spec, today)
        _rates(product, spec, organisation, unit_types, today)
        _photos(product)
        if created:
            made += 1
            _history(product, spec, dmc_actor)
    context["operators"] = {"products": len(specs()), "new": made}


_INCLUDED = {
    "experience": (
        "Guida o maestro artigiano, materiali, assicurazione.",
        "Guide or craftsperson, materials, insurance.",
    ),
    "service": ("Servizio come descritto, IVA.", "The service as described, VAT."),
}


def _history(product: Product, spec: Spec, dmc_actor) -> None:
    """Curation events that explain the demo statuses on the desk."""
    steps = {
        ProductStatus.DRAFT: [],
        ProductStatus.SUBMITTED: [("draft", "submitted")],
        ProductStatus.APPROVED: [("draft", "submitted"), ("submitted", "approved")],
        ProductStatus.REJECTED: [("draft", "submitted"), ("submitted", "rejected")],
        ProductStatus.PUBLISHED: [
            ("draft", "submitted"),
            ("submitted", "approved"),
            ("approved", "published"),
        ],
    }[spec.status]
    CurationEvent.objects.bulk_create(
        [
            CurationEvent(
                product=product,
                from_status=frm,
                to_status=to,
                actor=dmc_actor if to != "submitted" else None,
                reason=spec.reason if to == "rejected" else "",
            )
            for frm, to in steps
        ]
    )


def demo_slugs() -> list[str]:
    return [s.slug for s in specs()]
