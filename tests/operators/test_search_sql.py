"""The search's SQL on PostgreSQL (operators/selectors.py): the condition over the read model and
the page's plain queries answer exactly what the ORM over the counters answers, the condition
survives Django relabelling it, and no subquery is hashed over the whole catalogue."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from operators import readmodel, selectors
from operators.models import GoodsStock, Language, NightInventory, Product, Theme
from operators.pricing import PaxMix
from operators.selectors import SearchCriteria, availability_search
from tests.factories import comune
from tests.operators.factories import (
    GoodsFactory,
    RateFactory,
    SeasonFactory,
    SlotFactory,
    bookable_experience,
    bookable_stay,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the read model is kept by PostgreSQL triggers"
    ),
]


@pytest.fixture
def catalogue():
    today = timezone.localdate()
    lucca, capannori = comune("Lucca"), comune("Capannori")
    wine, wine_slot = bookable_experience(comune=capannori, adult="45.00", days_ahead=5)
    RateFactory(
        product=wine, pax_category="child", age_min=4, age_max=12, retail_price=20, net_price=16
    )
    season = SeasonFactory(product=wine, start_date=today, end_date=today + timedelta(days=6))
    RateFactory(product=wine, season=season, retail_price=Decimal("50.00"))
    SlotFactory(product=wine, date=wine_slot.date, start_time=time(16), capacity=3)
    wine.themes.add(Theme.objects.get(slug="food-wine"))
    walk, _ = bookable_experience(comune=lucca, adult="15.00", net="12.00", days_ahead=6)
    walk.languages.add(Language.objects.get(code="de"))
    boat, _ = bookable_experience(
        comune=lucca, pricing_unit="per_unit", max_pax=4, kind="service", days_ahead=5
    )
    RateFactory(product=boat, pax_category="unit", retail_price=Decimal("80.00"))
    now_product, _ = bookable_experience(capacity=5, days_ahead=0)
    hotel, unit_type, start = bookable_stay(units=2, nights=6, days_ahead=5)
    NightInventory.objects.filter(unit_type=unit_type, date=start + timedelta(days=2)).update(
        sold=1, price_override=Decimal("99.00")
    )
    oil = GoodsFactory(comune=lucca)
    RateFactory(product=oil, pax_category="unit", retail_price=Decimal("12.00"), net_price=9)
    GoodsStock.objects.create(product=oil, quantity=5)
    return {"start": start, "lucca": lucca.istat_code, "hotel": hotel, "wine": wine}


def cases(catalogue):
    today, start = timezone.localdate(), catalogue["start"]
    mixes = [
        PaxMix.of(adults=1),
        PaxMix.of(adults=2, children_ages=[8]),
        PaxMix.of(adults=3, children_ages=[5, 10]),
        PaxMix.of(adults=5),
    ]
    filters = [
        {},
        {"comune": catalogue["lucca"]},
        {"kind": "experience"},
        {"kind": "service"},
        {"kind": "accommodation"},
        {"kind": "goods"},
        {"theme": "food-wine"},
        {"language": "de"},
        {"max_price": Decimal("20")},
        {"min_price": Decimal("20"), "comune": catalogue["lucca"]},
        {"q": "tour"},
        {"q": "tour_"},  # the text's own _ is not a wildcard
    ]
    ranges = [(today, today + timedelta(days=6)), (start, start + timedelta(days=3))]
    return [
        SearchCriteria(start=first, end=last, pax=pax, **extra)
        for pax in mixes
        for extra in filters
        for first, last in ranges
    ]


def test_the_sql_condition_finds_what_the_counters_find(catalogue, monkeypatch):
    all_cases = cases(catalogue)
    with_model = [sorted(p.pk for p in availability_search(criteria=c)) for c in all_cases]
    monkeypatch.setattr(readmodel, "enabled", lambda: False)
    without = [sorted(p.pk for p in availability_search(criteria=c)) for c in all_cases]
    assert with_model == without
    assert any(catalogue["hotel"].pk in found for found in with_model)
    assert any(len(found) >= 4 for found in with_model)
    assert any(not found for found in with_model)


def test_the_page_read_with_plain_sql_equals_the_orm(catalogue):
    products = list(Product.objects.filter(status="published"))
    ids = [p.pk for p in products]
    slot_ids = [p.pk for p in products if p.kind in selectors.SLOT_KINDS]
    stay_ids = [p.pk for p in products if p.kind == "accommodation"]

    def plain(rows):
        rates, slots, unit_types, nights = rows
        return (
            {
                pk: [(r.pk, r.season.start_date if r.season_id else None) for r in rs]
                for pk, rs in rates.items()
            },
            {pk: [s.pk for s in ss] for pk, ss in slots.items()},
            {pk: [(u.pk, u.need, u.name) for u in us] for pk, us in unit_types.items()},
            {pk: {d: (n.pk, n.price_override) for d, n in ns.items()} for pk, ns in nights.items()},
        )

    checked = 0
    for criteria in cases(catalogue):
        args = (criteria, ids, slot_ids, stay_ids)
        sql, orm = plain(selectors._page_rows_sql(*args)), plain(selectors._page_rows_orm(*args))
        assert sql == orm
        checked += bool(any(sql[1].values()) and any(sql[2].values()))
    assert checked


def test_the_priced_page_is_the_same_either_way(catalogue, monkeypatch):
    def priced(criteria):
        products = list(availability_search(criteria=criteria))
        return [
            (
                r.product.pk,
                r.best_price,
                [(o.slot.pk, o.available, o.units, o.quote.as_dict()) for o in r.slots],
                [(o.unit_type.pk, o.units, o.available, o.quote.as_dict()) for o in r.stays],
                r.goods_quote.as_dict() if r.goods_quote else None,
            )
            for r in selectors.availability_options(products, criteria=criteria)
        ]

    all_cases = cases(catalogue)
    with_model = [priced(c) for c in all_cases]
    monkeypatch.setattr(readmodel, "enabled", lambda: False)
    assert with_model == [priced(c) for c in all_cases]
    assert any(len(page) >= 4 for page in with_model)


def test_the_condition_survives_relabelling_and_counting(catalogue):
    criteria = SearchCriteria(
        start=timezone.localdate(),
        end=timezone.localdate() + timedelta(days=6),
        pax=PaxMix.of(adults=2),
    )
    found = availability_search(criteria=criteria)
    ids = sorted(p.pk for p in found)
    assert len(ids) >= 3
    # used as a subquery, Django renames the product table (U0): the SQL follows
    assert (
        sorted(Product.objects.filter(pk__in=found.values("pk")).values_list("pk", flat=True))
        == ids
    )
    assert found.count() == len(ids)
    assert found.order_by().values("pk")[:2].count() == 2


def test_no_subquery_is_hashed_over_the_whole_catalogue(catalogue):
    start = catalogue["start"]
    # the free text's comune names are one small uncorrelated set (places_comune), not asked here
    wide = {"comune": catalogue["lucca"], "theme": "food-wine", "language": "de"}
    for extra in ({}, {"kind": "accommodation"}, wide):
        criteria = SearchCriteria(
            start=start, end=start + timedelta(days=3), pax=PaxMix.of(adults=2), **extra
        )
        sql, params = (
            availability_search(criteria=criteria).values("pk")[:21].query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")  # a plan as on a large catalogue
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
        assert "hashed SubPlan" not in plan, plan
