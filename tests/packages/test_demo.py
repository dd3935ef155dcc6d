from decimal import Decimal

import pytest

from operators.pricing import PaxMix
from packages.demo import package_data, seed
from packages.models import Package
from packages.services import package_quote

from .demo_products import make_demo_products

pytestmark = pytest.mark.django_db


def test_the_demo_skips_packages_whose_products_are_missing(capsys):
    context = {}
    seed(context)
    assert not Package.objects.exists()
    assert len(context["packages"]["skipped"]) == len(package_data())
    assert "lucca-walls-guided-tour" in capsys.readouterr().out


def test_the_demo_builds_and_publishes_five_packages_idempotently():
    from datetime import date

    make_demo_products(inventory_from=date(2027, 5, 1), days=10)
    context = {}
    seed(context)
    assert context["packages"]["skipped"] == []
    assert Package.objects.filter(status="published").count() == 5
    seed({})
    assert Package.objects.count() == 5
    puccini = Package.objects.get(slug="puccini-and-the-walls-of-lucca")
    saturdays = puccini.departures.all()
    assert saturdays.count() == 31 and {d.date.isoweekday() for d in saturdays} == {6}
    assert {d.min_pax for d in saturdays} == {6}
    quote = package_quote(package=puccini, start_date=date(2027, 5, 8), pax=PaxMix(adults=2))
    assert quote.available, quote.problems
    assert quote.per_person % 5 == 0
    wine = Package.objects.get(slug="montecarlo-wine-and-olive-oil-weekend")
    q = package_quote(
        package=wine, start_date=date(2027, 5, 3), pax=PaxMix.of(adults=2, children_ages=[8])
    )
    assert q.retail_total == Decimal("632.50")  # 2 × 235 + child 117.50 + one single 45
