"""Stand-ins for the operators' demo products (same slugs), for the demo test, the benchmark
and local screenshots before the operators' demo is merged."""

from datetime import date, time, timedelta
from decimal import Decimal

from accounts.models import Organisation
from operators.models import GoodsStock, NightInventory, Product, Rate, ScheduleRule, UnitType
from operators.services import nights_generate, slots_generate
from tests.factories import comune

EXPERIENCES = [
    ("lucca-walls-guided-tour", "Lucca", "Le Mura di Lucca", "The walls of Lucca", "25", "20"),
    ("puccini-lucca-walk", "Lucca", "La Lucca di Puccini", "Puccini's Lucca", "22", "17"),
    ("lucca-legends-night-walk", "Lucca", "Leggende di Lucca", "Legends of Lucca", "18", "14"),
    ("montecarlo-wine-tasting", "Montecarlo", "Degustazione", "Wine tasting", "35", "28"),
    ("compitese-olive-mill-visit", "Capannori", "Frantoio", "Olive mill visit", "20", "16"),
    ("raku-ceramics-workshop", "Capannori", "Raku", "Raku ceramics workshop", "55", "45"),
    ("villa-basilica-paper-workshop", "Villa Basilica", "Carta", "Paper workshop", "40", "32"),
    ("buccellato-pastry-class", "Lucca", "Buccellato", "Buccellato pastry class", "45", "36"),
    (
        "francigena-guided-walk-altopascio",
        "Altopascio",
        "Francigena",
        "Francigena walk",
        "20",
        "15",
    ),
]
SERVICES = [
    ("francigena-ebike-rental", "Altopascio", "E-bike", "E-bike rental", "35", "28"),
    ("lucca-bike-rental-day", "Lucca", "Bici", "Bike rental, one day", "15", "12"),
    ("airport-transfer-pisa-lucca", "Lucca", "Transfer", "Airport transfer Pisa-Lucca", "90", "75"),
]
STAYS = [
    (
        "hotel-san-frediano",
        "Lucca",
        "hotel_3",
        [("Double room", "140", "115"), ("Single room", "95", "78")],
    ),
    (
        "agriturismo-colle-verde",
        "Montecarlo",
        "agriturismo",
        [("Double room", "120", "98"), ("Apartment", "170", "140")],
    ),
    (
        "ostello-della-francigena",
        "Altopascio",
        "hostel",
        [("Private room", "60", "48"), ("Bed in dormitory", "25", "20")],
    ),
    (
        "villa-camelie-country-house",
        "Capannori",
        "country_house",
        [("Double room", "150", "122"), ("Apartment", "210", "172")],
    ),
    ("bb-le-mura", "Lucca", "bnb", [("Double room", "110", "90")]),
]
GOODS = [
    ("montecarlo-doc-wine-box", "Montecarlo", "Box vino", "Montecarlo DOC wine box", "48", "36"),
    ("compitese-extra-virgin-olive-oil", "Capannori", "Olio", "Extra virgin olive oil", "18", "13"),
    (
        "handmade-paper-notebook",
        "Villa Basilica",
        "Quaderno",
        "Hand-made paper notebook",
        "16",
        "12",
    ),
]


def _operator(name):
    org, _ = Organisation.objects.get_or_create(
        slug=f"standin-{name.lower().replace(' ', '-')}",
        defaults={"name": f"Stand-in {name}", "kind": "operator", "subkind": "guide"},
    )
    return org


def _product(slug, comune_name, kind, it, en, **fields):
    product, _ = Product.objects.get_or_create(
        slug=slug,
        defaults={
            "organisation": _operator(comune_name),
            "kind": kind,
            "status": "published",
            "title": it,
            "title_it": it,
            "title_en": en,
            "comune": comune(comune_name),
            **fields,
        },
    )
    return product


def make_demo_products(*, inventory_from: date | None = None, days: int = 0) -> dict:
    """Create the products (idempotent); with `days`, also their slots, nights and stock."""
    out = {}
    for slug, place, it, en, retail, net in EXPERIENCES + SERVICES:
        is_service = (slug, place, it, en, retail, net) in SERVICES
        product = _product(
            slug,
            place,
            "service" if is_service else "experience",
            it,
            en,
            duration_minutes=120,
            max_pax=40,
            pricing_unit="per_unit" if is_service else "per_person",
        )
        if not product.rates.exists():
            Rate.objects.create(
                product=product,
                pax_category="unit" if is_service else "adult",
                retail_price=Decimal(retail),
                net_price=Decimal(net),
            )
            if not is_service:
                Rate.objects.create(
                    product=product,
                    min_group=20,
                    retail_price=Decimal(retail) - 3,
                    net_price=Decimal(net) - 3,
                )
        out[slug] = product
    for slug, place, category, units in STAYS:
        product = _product(
            slug,
            place,
            "accommodation",
            slug,
            slug.replace("-", " ").title(),
            accommodation_category=category,
            vat_rate=Decimal("10"),
        )
        for name, retail, net in units:
            unit_type, created = UnitType.objects.get_or_create(
                product=product,
                name_en=name,
                defaults={
                    "name": name,
                    "name_it": name,
                    "units": 12,
                    "max_occupancy": 3,
                    "max_children": 1,
                },
            )
            if created:
                Rate.objects.create(
                    product=product,
                    unit_type=unit_type,
                    pax_category="unit",
                    retail_price=Decimal(retail),
                    net_price=Decimal(net),
                )
        out[slug] = product
    for slug, place, it, en, retail, net in GOODS:
        product = _product(slug, place, "goods", it, en, fulfilment="pickup", vat_rate=Decimal("4"))
        if not product.rates.exists():
            Rate.objects.create(
                product=product,
                pax_category="unit",
                retail_price=Decimal(retail),
                net_price=Decimal(net),
            )
        GoodsStock.objects.get_or_create(product=product, defaults={"quantity": 500})
        out[slug] = product
    if days:
        start = inventory_from or date(2027, 3, 1)
        for product in out.values():
            if product.kind in ("experience", "service"):
                if not product.schedules.exists():
                    for at in (time(9, 0), time(10, 0), time(15, 0), time(18, 0)):
                        ScheduleRule.objects.create(
                            product=product, start_time=at, capacity=30, valid_from=start
                        )
                slots_generate(product=product, start=start, horizon_days=days)
            for unit_type in product.unit_types.all():
                nights_generate(unit_type=unit_type, start=start, horizon_days=days)
    return out


def standin_inventory_count() -> int:
    return NightInventory.objects.count()


__all__ = ["make_demo_products", "timedelta"]
