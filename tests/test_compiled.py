"""Querysets compiled once per process (marketplace/compiled.py): the same instances as the
queryset, with its select_related models, for any arguments."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import SupplierTerms
from marketplace.compiled import fetch
from operators.models import Rate, Season
from tests.factories import OrganisationFactory
from tests.operators.factories import ProductFactory, RateFactory

pytestmark = pytest.mark.django_db


def _rates(product_id):
    return Rate.objects.select_related("season").filter(product_id=product_id).order_by("pk")


def test_a_compiled_query_gives_what_the_queryset_gives_for_each_argument():
    first, second = ProductFactory(), ProductFactory()
    season = Season.objects.create(
        product=first, name="Summer", start_date="2026-06-01", end_date="2026-09-30"
    )
    RateFactory(
        product=first, retail_price=Decimal("30.00"), net_price=Decimal("20"), season=season
    )
    RateFactory(product=first, retail_price=Decimal("25.50"), net_price=Decimal("20"))
    RateFactory(product=second, retail_price=Decimal("12.00"), net_price=Decimal("10"))
    for product in (first, second, first):
        compiled = fetch("test.rates", _rates, product.pk)
        expected = list(_rates(product.pk))
        assert [r.pk for r in compiled] == [r.pk for r in expected]
        assert [r.retail_price for r in compiled] == [r.retail_price for r in expected]
        with CaptureQueriesContext(connection) as queries:  # the season came with the rate
            seasons = [r.season and r.season.name for r in compiled]
        assert seasons == [r.season and r.season.name for r in expected]
        assert len(queries) == 0


def test_reverse_one_to_ones_come_joined_present_or_absent():
    with_terms, without = OrganisationFactory(), OrganisationFactory()
    SupplierTerms.objects.create(organisation=with_terms, option_cutoff_hours=48)

    def build(*ids):
        from accounts.models import Organisation

        return Organisation.objects.select_related("supplier_terms").filter(pk__in=ids)

    rows = fetch(("test.orgs", 2), build, with_terms.pk, without.pk)
    by_pk = {o.pk: o for o in rows}
    with CaptureQueriesContext(connection) as queries:
        assert by_pk[with_terms.pk].supplier_terms.option_cutoff_hours == 48
        assert by_pk[without.pk]._state.fields_cache["supplier_terms"] is None
    assert len(queries) == 0


def test_an_argument_the_sql_does_not_carry_is_refused():
    with pytest.raises(ValueError):
        fetch("test.unused", lambda product_id: Rate.objects.all(), 1)
