"""Demo listings (the slugs other apps rely on) and the inventory roll-forward."""

from datetime import time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from operators.models import CurationEvent, NightInventory, Product, Slot, UnitType
from tests.operators.factories import ProductFactory, ScheduleRuleFactory, UnitTypeFactory

pytestmark = pytest.mark.django_db

REQUIRED = {
    "lucca-walls-guided-tour": ("experience", "lucca-guide-autorizzate", "Lucca"),
    "puccini-lucca-walk": ("experience", "lucca-guide-autorizzate", "Lucca"),
    "lucca-legends-night-walk": ("experience", "guida-le-leggende-lucca", "Lucca"),
    "montecarlo-wine-tasting": ("experience", "fattoria-del-teso", "Montecarlo"),
    "compitese-olive-mill-visit": ("experience", "frantoio-compitese", "Capannori"),
    "villa-basilica-paper-workshop": (
        "experience",
        "cartiera-artigiana-villa-basilica",
        "Villa Basilica",
    ),
    "raku-ceramics-workshop": ("experience", "ceramiche-compitese", "Capannori"),
    "buccellato-pastry-class": ("experience", "pasticceria-buccellato", "Lucca"),
    "francigena-guided-walk-altopascio": ("experience", "francigena-walking-guides", "Altopascio"),
    "francigena-ebike-rental": ("service", "francigena-bike-altopascio", "Altopascio"),
    "lucca-bike-rental-day": ("service", "lucca-bike-rental", "Lucca"),
    "airport-transfer-pisa-lucca": ("service", "transfer-piana-ncc", "Porcari"),
    "hotel-san-frediano": ("accommodation", "hotel-san-frediano", "Lucca"),
    "agriturismo-colle-verde": ("accommodation", "agriturismo-colle-verde", "Montecarlo"),
    "ostello-della-francigena": ("accommodation", "ostello-francigena-altopascio", "Altopascio"),
    "villa-camelie-country-house": ("accommodation", "villa-camelie-country-house", "Capannori"),
    "bb-le-mura": ("accommodation", "bb-le-mura", "Lucca"),
    "montecarlo-doc-wine-box": ("goods", "cantina-montecarlo-rossi", "Montecarlo"),
    "compitese-extra-virgin-olive-oil": ("goods", "frantoio-compitese", "Capannori"),
    "handmade-paper-notebook": ("goods", "cartiera-artigiana-villa-basilica", "Villa Basilica"),
}


def test_seed_demo_makes_the_published_listings_others_rely_on_and_is_idempotent(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--quiet-logins", stdout=StringIO())
    products = {p.slug: p for p in Product.objects.select_related("organisation", "comune")}
    assert 55 <= len(products) <= 70
    for slug, (kind, org, comune) in REQUIRED.items():
        p = products[slug]
        assert (p.kind, p.organisation.slug, p.comune.name, p.status) == (
            kind,
            org,
            comune,
            "published",
        ), slug
    assert {p.comune.name for p in products.values()} >= {
        "Lucca",
        "Capannori",
        "Altopascio",
        "Montecarlo",
        "Porcari",
        "Villa Basilica",
    }
    assert {p.status for p in products.values()} >= {"draft", "submitted", "rejected"}
    walls = products["lucca-walls-guided-tour"]
    assert set(walls.schedules.values_list("start_time", "capacity")) == {
        (timezone.datetime(2000, 1, 1, 10).time(), 25),
        (timezone.datetime(2000, 1, 1, 15).time(), 25),
    }
    horizon = timezone.localdate() + timedelta(days=360)
    assert walls.slots.aggregate(last=Max("date"))["last"] >= horizon
    assert products["francigena-ebike-rental"].pricing_unit == "per_unit"
    units = dict(
        UnitType.objects.filter(product=products["hotel-san-frediano"]).values_list(
            "name_en", "units"
        )
    )
    assert units == {"Double room": 12, "Single room": 4}
    apartment = UnitType.objects.get(
        product=products["agriturismo-colle-verde"], name_en="Apartment"
    )
    assert (apartment.units, apartment.max_occupancy, apartment.max_children) == (3, 4, 2)
    dorm = UnitType.objects.get(
        product=products["ostello-della-francigena"], name_en="Bed in dormitory"
    )
    assert (dorm.units, dorm.max_occupancy) == (20, 1)
    assert NightInventory.objects.filter(unit_type=apartment).count() >= 365
    assert products["compitese-extra-virgin-olive-oil"].stock.quantity > 0
    counts = (Product.objects.count(), Slot.objects.count(), CurationEvent.objects.count())
    call_command("seed_demo", "--quiet-logins", stdout=StringIO())
    assert (Product.objects.count(), Slot.objects.count(), CurationEvent.objects.count()) == counts


def test_roll_inventory_command_keeps_a_year_ahead():
    product = ProductFactory()
    ScheduleRuleFactory(product=product, weekdays="1", capacity=5)
    unit_type = UnitTypeFactory(units=3)
    out = StringIO()
    call_command("roll_inventory", stdout=out)
    assert Slot.objects.filter(product=product).count() in (52, 53)  # Mondays of a year
    assert f"Slots created: {Slot.objects.count()}," in out.getvalue()
    assert unit_type.nights.count() == 366
    assert unit_type.nights.first().units == 3
    out = StringIO()
    call_command("roll_inventory", stdout=out)
    assert "Slots created: 0, nights created: 0" in out.getvalue()


def test_the_task_is_in_the_beat_schedule():
    from django.conf import settings

    from operators.tasks import roll_inventory_forward

    assert "operators-roll-inventory-forward" in settings.CELERY_BEAT_SCHEDULE
    assert roll_inventory_forward.delay().get() == {"slots": 0, "nights": 0}


def test_the_demo_catalogue_is_a_data_file_read_by_the_one_loader():
    """Issue 10 item 12: the catalogue is YAML (operators/demo_data/products.yaml), not
    Python literals; every entry names only known fields and slugs are unique."""
    import dataclasses
    from pathlib import Path

    from marketplace.demo_data import demo_data
    from operators import demo

    entries = demo_data("operators", "products")
    known = {f.name for f in dataclasses.fields(demo.Spec)}
    assert all(set(entry) <= known for entry in entries)
    specs = demo.specs()
    assert len(specs) == len(entries) == 65
    assert len({s.slug for s in specs}) == 65
    walls = next(s for s in specs if s.slug == "lucca-walls-guided-tour")
    assert walls.times == (("1234567", "10:00"), ("1234567", "15:00"))
    assert walls.child == (6, 12, "10.00") and walls.title[1] == "Lucca's Walls guided tour"
    hotel = next(s for s in specs if s.units)
    assert isinstance(hotel.units[0], demo.Unit)
    assert len(Path(demo.__file__).read_text().splitlines()) < 500


def test_demo_organisations_and_packages_are_data_files_too():
    from accounts.demo import demo_organisations
    from packages.demo import package_data, story_data

    organisations = demo_organisations()
    assert organisations["dmc"].kind == "dmc"
    assert {o.kind for o in organisations["operators"]} == {"operator"}
    assert {o.kind for o in organisations["trade"]} == {"trade"}
    assert "tuscany-discovery-tours" in organisations["foreign_fiscal"]
    walls = package_data()[0]
    assert walls["slug"] == "puccini-and-the-walls-of-lucca"
    assert walls["components"][0] == ("lucca-walls-guided-tour", None, 1, {"time": time(10, 0)})
    assert {s["slug"] for s in story_data()} >= {"lucida-mansi"}
