"""Demo packages built from the operators' demo products (looked up by slug).

Idempotent by slug. A package whose products are missing or not published is skipped with a
printed note, so that the demo never crashes."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from operators.models import CancellationPolicy, CancellationTier, Language, Product, Theme
from places.models import Comune

from . import services
from .models import ChildReduction, HeritageStory, Package

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

STORIES = [
    {
        "slug": "lucida-mansi",
        "kind": "legend",
        "comune": "Lucca",
        "title_it": "Lucida Mansi, la dama dello specchio",
        "title_en": "Lucida Mansi, the lady of the mirror",
        "text_it": "Si racconta che la bella Lucida Mansi vendette l'anima al diavolo per "
        "restare giovane; nelle notti d'estate la sua carrozza corre ancora sulle Mura.",
        "text_en": "They say that beautiful Lucida Mansi sold her soul to the devil to stay "
        "young; on summer nights her carriage still races along the Walls.",
    },
    {
        "slug": "carta-villa-basilica",
        "kind": "craft",
        "comune": "Villa Basilica",
        "title_it": "La carta di Villa Basilica",
        "title_en": "The paper of Villa Basilica",
        "text_it": "Dal Trecento le acque della Pescia muovono le cartiere della valle: "
        "una tradizione che vive nei laboratori di carta a mano.",
        "text_en": "Since the fourteenth century the waters of the Pescia have driven the "
        "valley's paper mills: a tradition alive in the hand-made paper workshops.",
    },
    {
        "slug": "camelie-compitese",
        "kind": "tradition",
        "comune": "Capannori",
        "title_it": "Le camelie del Compitese",
        "title_en": "The camellias of the Compitese",
        "text_it": "Arrivate nelle ville lucchesi nell'Ottocento, le camelie fioriscono "
        "ogni primavera tra Sant'Andrea e Pieve di Compito.",
        "text_en": "Brought to the villas of Lucca in the nineteenth century, camellias "
        "bloom every spring between Sant'Andrea and Pieve di Compito.",
    },
]

# Components: (product slug, unit type name_en or None, day (1-based), options)
PACKAGES = [
    {
        "slug": "puccini-and-the-walls-of-lucca",
        "title_it": "Puccini e le Mura di Lucca, 3 giorni",
        "title_en": "Puccini and the walls of Lucca, 3 days",
        "summary_it": "Tre giorni dentro le Mura: la città di Puccini, le sue leggende e i "
        "suoi dolci.",
        "summary_en": "Three days inside the Walls: Puccini's city, its legends and its pastries.",
        "story_it": "Giacomo Puccini nacque qui, a due passi da San Michele: le sue arie "
        "risuonano ancora nelle chiese e nelle piazze racchiuse dalle Mura rinascimentali.",
        "story_en": "Giacomo Puccini was born here, a stone's throw from San Michele: his "
        "arias still fill the churches and squares inside the Renaissance Walls.",
        "itinerary_it": "Giorno 1: arrivo, visita guidata delle Mura.\nGiorno 2: passeggiata "
        "pucciniana; la sera, le leggende di Lucca.\nGiorno 3: partenza.",
        "itinerary_en": "Day 1: arrival, guided tour of the Walls.\nDay 2: Puccini walk; in "
        "the evening, the legends of Lucca.\nDay 3: departure.",
        "meals_it": "Colazione ogni giorno",
        "meals_en": "Breakfast every day",
        "days": 3,
        "nights": 2,
        "min_pax": 2,
        "max_pax": 16,
        "themes": ["culture", "legends-traditions"],
        "story": "lucida-mansi",
        "pricing": {"markup_kind": "percent", "markup_value": Decimal("18"), "rounding_step": 5},
        "departures": {"weekdays": "6", "capacity": 16, "min_pax": 6},
        "guarantee_min_pax": 6,
        "guarantee_cutoff_days": 10,
        "components": [
            ("lucca-walls-guided-tour", None, 1, {"time": time(10, 0)}),
            (
                "hotel-san-frediano",
                "Double room",
                1,
                {"quantity_rule": "per_room", "alternative": ("bb-le-mura", "Double room")},
            ),
            ("puccini-lucca-walk", None, 2, {"time": time(9, 0)}),
            ("lucca-legends-night-walk", None, 2, {"time": time(18, 0)}),
            ("buccellato-pastry-class", None, 3, {"required": False}),
            ("lucca-bike-rental-day", None, 2, {"required": False}),
        ],
    },
    {
        "slug": "montecarlo-wine-and-olive-oil-weekend",
        "title_it": "Weekend del vino e dell'olio a Montecarlo",
        "title_en": "Montecarlo wine and olive oil weekend",
        "summary_it": "Le colline del Montecarlo DOC e i frantoi del Compitese.",
        "summary_en": "The Montecarlo DOC hills and the olive mills of the Compitese.",
        "meals_it": "Colazione; degustazioni come da programma",
        "meals_en": "Breakfast; tastings as in the programme",
        "days": 2,
        "nights": 1,
        "min_pax": 2,
        "max_pax": 20,
        "themes": ["food-wine"],
        "pricing": {"pricing_mode": "fixed"},
        "season_prices": [
            ("Primavera", date(2027, 3, 1), date(2027, 5, 31), Decimal("235"), Decimal("45")),
            ("Estate", date(2027, 6, 1), date(2027, 8, 31), Decimal("259"), Decimal("55")),
            ("Vendemmia", date(2027, 9, 1), date(2027, 10, 31), Decimal("269"), Decimal("55")),
        ],
        "child_reductions": [(0, 5, Decimal("100")), (6, 11, Decimal("50"))],
        "components": [
            ("montecarlo-wine-tasting", None, 1, {"time": time(16, 0)}),
            (
                "agriturismo-colle-verde",
                "Double room",
                1,
                {
                    "quantity_rule": "per_room",
                    "alternative": ("villa-camelie-country-house", "Double room"),
                },
            ),
            ("compitese-olive-mill-visit", None, 2, {"time": time(10, 0)}),
            ("montecarlo-doc-wine-box", None, 2, {"quantity_rule": "per_group", "required": False}),
        ],
    },
    {
        "slug": "via-francigena-by-bike-from-altopascio",
        "title_it": "La Via Francigena in bici da Altopascio",
        "title_en": "Via Francigena by bike from Altopascio",
        "summary_it": "Sulle tracce dei pellegrini, in e-bike tra Altopascio e Lucca.",
        "summary_en": "In the pilgrims' footsteps, by e-bike between Altopascio and Lucca.",
        "meals_it": "Colazione",
        "meals_en": "Breakfast",
        "days": 3,
        "nights": 2,
        "min_pax": 1,
        "max_pax": 12,
        "themes": ["cycling", "nature-outdoor"],
        "pricing": {"markup_kind": "amount", "markup_value": Decimal("25"), "rounding_step": 1},
        "components": [
            (
                "airport-transfer-pisa-lucca",
                None,
                1,
                {"quantity_rule": "per_group", "required": False},
            ),
            ("francigena-guided-walk-altopascio", None, 1, {"time": time(9, 0)}),
            ("ostello-della-francigena", "Private room", 1, {"quantity_rule": "per_room"}),
            ("francigena-ebike-rental", None, 2, {"slot_rule": "traveller_chooses"}),
        ],
    },
    {
        "slug": "artisans-of-villa-basilica",
        "title_it": "Gli artigiani di Villa Basilica",
        "title_en": "Artisans of Villa Basilica",
        "summary_it": "Carta a mano e ceramica raku: due giorni con gli artigiani della Piana.",
        "summary_en": "Hand-made paper and raku ceramics: two days with the Piana's artisans.",
        "meals_it": "Colazione",
        "meals_en": "Breakfast",
        "days": 2,
        "nights": 1,
        "min_pax": 2,
        "max_pax": 10,
        "themes": ["crafts"],
        "story": "carta-villa-basilica",
        "pricing": {"markup_kind": "percent", "markup_value": Decimal("15"), "rounding_step": 1},
        "components": [
            ("villa-basilica-paper-workshop", None, 1, {"time": time(10, 0)}),
            ("bb-le-mura", "Double room", 1, {"quantity_rule": "per_room"}),
            ("raku-ceramics-workshop", None, 2, {"time": time(9, 0)}),
            ("handmade-paper-notebook", None, 2, {"quantity_rule": "per_person"}),
        ],
    },
    {
        "slug": "camellias-and-villas-of-capannori",
        "title_it": "Camelie e ville di Capannori",
        "title_en": "Camellias and villas of Capannori",
        "summary_it": "Una notte in villa, il frantoio e la ceramica nella campagna di Capannori.",
        "summary_en": "A night in a villa, the olive mill and ceramics in the Capannori "
        "countryside.",
        "meals_it": "Colazione",
        "meals_en": "Breakfast",
        "days": 2,
        "nights": 1,
        "min_pax": 2,
        "max_pax": 12,
        "themes": ["legends-traditions", "food-wine"],
        "story": "camelie-compitese",
        "pricing": {"markup_kind": "percent", "markup_value": Decimal("12"), "rounding_step": 5},
        "components": [
            (
                "villa-camelie-country-house",
                "Double room",
                1,
                {
                    "quantity_rule": "per_room",
                    "alternative": ("agriturismo-colle-verde", "Double room"),
                },
            ),
            ("compitese-olive-mill-visit", None, 1, {"time": time(15, 0)}),
            ("raku-ceramics-workshop", None, 2, {"time": time(9, 0)}),
            (
                "compitese-extra-virgin-olive-oil",
                None,
                2,
                {"quantity_rule": "per_group", "required": False},
            ),
        ],
    },
]


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
    for data in STORIES:
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
    for spec in PACKAGES:
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
