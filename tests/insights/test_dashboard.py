import csv
import io

import pytest
from django.urls import reverse

from insights.demo_data import generate_rows, to_csv
from insights.importer import movement_import
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, comune

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years():
    comune("Lucca")
    movement_import(
        filename="d.csv", content=to_csv(generate_rows(years=[2024, 2025])), is_demo=True
    )


def test_the_dashboard_shows_charts_tables_and_the_demo_mark(admin_client, two_years):
    response = admin_client.get(reverse("insights:dashboard"), {"year": 2025})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 4 and "Demo data" in html


def test_every_chart_exports_csv(admin_client, two_years):
    url = reverse("insights:dashboard")
    for chart in ("monthly", "markets", "comuni", "trend", "contacts", "sales"):
        response = admin_client.get(url, {"year": 2025, "chart": chart, "format": "csv"})
        assert response["Content-Type"] == "text/csv"
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0]
    monthly = admin_client.get(url, {"year": 2025, "chart": "monthly", "format": "csv"})
    rows = list(csv.reader(io.StringIO(monthly.content.decode("utf-8-sig"))))
    assert len(rows) == 13 and rows[7][0] == "Jul"


def test_filters_by_comune_and_market(admin_client, two_years):
    response = admin_client.get(
        reverse("insights:dashboard"), {"year": 2025, "comune": comune("Lucca").pk, "market": "DE"}
    )
    assert response.status_code == 200
    bad = admin_client.get(reverse("insights:dashboard"), {"market": "Narnia"})
    assert "Unknown market code" in bad.content.decode()


def test_only_dmc_staff_see_the_dashboard(client, two_years):
    for user in (
        UserFactory(),
        MembershipFactory(organisation=OrganisationFactory(kind="operator")).user,
        MembershipFactory(organisation=OrganisationFactory(kind="iat", subkind="")).user,
    ):
        client.force_login(user)
        assert client.get(reverse("insights:dashboard")).status_code == 404
        assert client.get(reverse("insights:import")).status_code == 404


def test_the_dashboard_runs_a_fixed_number_of_queries(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    comune("Lucca")
    url = reverse("insights:dashboard")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url, {"year": 2024}).status_code == 200
        return len(queries)

    movement_import(filename="a.csv", content=to_csv(generate_rows(years=[2024])))
    small = count()
    many = dict.fromkeys(("DE", "FR", "US", "GB", "NL", "IT-25", "IT-52", "JP"), 1.0)
    movement_import(
        filename="b.csv",
        content=to_csv(generate_rows(years=[2020, 2021, 2022, 2023], origins=many)),
    )
    assert count() == small
