"""The DMC's allotment editor and release report, the partner's pages, and the REST API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from allotments import services
from allotments.models import Allotment, AllotmentStatus
from operators.models import NightInventory
from tests.allotments.factories import experience_allotment, stay_allotment, trade_partner
from tests.factories import MembershipFactory, OrganisationFactory, api_key_for
from tests.operators.factories import bookable_stay

pytestmark = pytest.mark.django_db


@pytest.fixture
def dmc_client(client):
    dmc = OrganisationFactory(name="Piana di Lucca DMC", kind="dmc", subkind="dmc")
    client.force_login(MembershipFactory(organisation=dmc).user)
    return client


def partner_client(client, partner):
    client.force_login(MembershipFactory(organisation=partner, role=Role.OWNER).user)
    return client


def test_the_dmc_creates_an_allotment_from_the_editor(dmc_client):
    partner = trade_partner(name="Tuscany Discovery Tours GmbH")
    hotel, unit_type, start = bookable_stay(units=5, nights=3)
    hotel.status = "published"
    hotel.save()
    url = reverse("allotments:backoffice_create")
    assert f"u:{unit_type.pk}".encode() in dmc_client.get(url).content
    response = dmc_client.post(
        url,
        {
            "partner": partner.pk,
            "resource": f"u:{unit_type.pk}",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=2)).isoformat(),
            "quantity": 2,
            "release_days": 7,
            "overrides": f"{(start + timedelta(days=1)).isoformat()} = 3",
        },
    )
    allotment = Allotment.objects.get(partner=partner)
    assert response.status_code == 302
    assert response.url == reverse("allotments:backoffice_detail", args=[allotment.pk])
    assert [n.held for n in NightInventory.objects.filter(unit_type=unit_type).order_by("date")][
        :3
    ] == [2, 3, 2]
    page = dmc_client.get(response.url)
    assert page.status_code == 200
    assert b"Tuscany Discovery Tours GmbH" in page.content


def test_the_editor_refuses_more_than_free_inventory_per_day(dmc_client):
    partner = trade_partner()
    hotel, unit_type, start = bookable_stay(units=2, nights=2)
    hotel.status = "published"
    hotel.save()
    response = dmc_client.post(
        reverse("allotments:backoffice_create"),
        {
            "partner": partner.pk,
            "resource": f"u:{unit_type.pk}",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(),
            "quantity": 3,
            "release_days": 7,
        },
    )
    assert response.status_code == 400
    assert len(response.context["problems"]) == 2
    assert "2 free, 3 asked" in response.context["problems"][0]
    assert not Allotment.objects.exists()


def test_the_editor_enlarges_and_shrinks_days_and_shows_refusals(dmc_client):
    allotment = stay_allotment(units=5, nights=2, quantity=2)
    first, second = allotment.start_date, allotment.start_date + timedelta(days=1)
    url = reverse("allotments:backoffice_detail", args=[allotment.pk])
    response = dmc_client.post(
        url, {f"q_{first.isoformat()}": 4, f"q_{second.isoformat()}": 1, "release_days": 5}
    )
    assert response.status_code == 302
    allotment.refresh_from_db()
    assert allotment.release_days == 5
    assert [d.allotted for d in allotment.days.order_by("date")] == [4, 1]
    response = dmc_client.post(
        url, {f"q_{first.isoformat()}": 9, f"q_{second.isoformat()}": 1, "release_days": 5}
    )
    assert response.status_code == 409
    assert "1 free, 5 more asked" in response.context["problems"][0]
    response = dmc_client.post(
        url,
        {
            "all_days": 0,
            f"q_{first.isoformat()}": 4,
            f"q_{second.isoformat()}": 1,
            "release_days": 5,
        },
    )
    assert response.status_code == 302
    assert [d.allotted for d in allotment.days.order_by("date")] == [0, 0]


def test_closing_and_the_release_report_page(dmc_client):
    allotment = stay_allotment(units=5, nights=2, quantity=2)
    services.allotments_release_due(now=timezone.now() + timedelta(days=30))
    other = stay_allotment(units=5, nights=1, quantity=1)
    dmc_client.post(reverse("allotments:backoffice_close", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == AllotmentStatus.CLOSED
    page = dmc_client.get(
        reverse("allotments:backoffice_releases"), {"partner": allotment.partner_id}
    )
    assert page.status_code == 200
    assert [(r["allotment_id"], r["released"]) for r in page.context["rows"]] == [
        (allotment.pk, 2),
        (allotment.pk, 2),
    ]
    listing = dmc_client.get(reverse("allotments:backoffice_list"))
    assert {a.pk for a in listing.context["allotments"]} == {allotment.pk, other.pk}


def test_the_back_office_is_404_for_a_partner(client):
    allotment = stay_allotment()
    partner_client(client, allotment.partner)
    for url in (
        reverse("allotments:backoffice_list"),
        reverse("allotments:backoffice_detail", args=[allotment.pk]),
        reverse("allotments:backoffice_releases"),
    ):
        assert client.get(url).status_code == 404


def test_the_partner_sees_its_allotments_and_not_another_partners(client):
    mine = stay_allotment(quantity=2)
    theirs = stay_allotment(quantity=1)
    partner_client(client, mine.partner)
    listing = client.get(reverse("allotments:trade_list"))
    assert listing.status_code == 200
    assert [a.pk for a in listing.context["allotments"]] == [mine.pk]
    detail = client.get(reverse("allotments:trade_detail", args=[mine.pk]))
    assert detail.status_code == 200
    assert [r["allotted"] for r in detail.context["rows"]][:2] == [2, 2]
    assert client.get(reverse("allotments:trade_detail", args=[theirs.pk])).status_code == 404


def test_the_api_lists_the_partners_allotments_with_usage_per_day(api_client):
    mine, slot = experience_allotment(quantity=4)
    theirs = stay_allotment()
    _key, raw = api_key_for(mine.partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listing = api_client.get("/api/v1/allotments/")
    assert listing.status_code == 200
    body = listing.json()
    assert [a["id"] for a in body["results"]] == [mine.pk]
    detail = api_client.get(f"/api/v1/allotments/{mine.pk}/").json()
    assert detail["totals"] == {"allotted": 4, "used": 0, "available": 4, "released": 0}
    assert detail["days"] == [
        {
            "date": slot.date.isoformat(),
            "slots": 1,
            "allotted": 4,
            "used": 0,
            "available": 4,
            "released": 0,
            "release_on": (slot.date - timedelta(days=3)).isoformat(),
            "released_at": None,
        }
    ]
    assert "net" not in str(detail)
    missing = api_client.get(f"/api/v1/allotments/{theirs.pk}/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_the_api_refuses_operators_and_anonymous_callers(api_client):
    allotment = stay_allotment()
    assert api_client.get("/api/v1/allotments/").status_code in (401, 403)
    _key, raw = api_key_for(allotment.product.organisation)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/allotments/").status_code == 403
