import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.services import DmcGroup
from operators.models import CancellationPolicy, CancellationTier
from packages.models import Component, Package
from tests.operators.factories import ProductFactory, bookable_experience

from .factories import dmc_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_client(client):
    client.force_login(dmc_user(DmcGroup.PRODUCT_MANAGER))
    return client


def builder_urls(package):
    return [
        reverse("packages:builder_list"),
        reverse("packages:create"),
        reverse("packages:builder", kwargs={"pk": package.pk}),
        reverse("packages:calendar", kwargs={"pk": package.pk}),
        reverse("packages:breakdown", kwargs={"pk": package.pk}),
        reverse("packages:product_search"),
    ]


def test_the_builder_is_for_dmc_product_managers_only(client, owner, trip):
    package = trip["package"]
    # an operator: 404 everywhere, reading or writing
    client.force_login(owner)
    for url in builder_urls(package):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("packages:action", args=[package.pk, "unpublish"])).status_code == 404
    )
    # DMC finance staff are not product managers
    client.force_login(dmc_user(DmcGroup.FINANCE))
    assert client.get(reverse("packages:builder_list")).status_code == 404
    # anonymous: to the login page
    client.logout()
    assert client.get(reverse("packages:builder_list")).status_code == 302
    # product manager: allowed
    client.force_login(dmc_user(DmcGroup.PRODUCT_MANAGER))
    for url in builder_urls(package):
        assert client.get(url).status_code == 200, url
    package.refresh_from_db()
    assert package.status == "published"


def test_the_builder_shows_components_and_the_breakdown(pm_client, trip, day):
    url = reverse("packages:builder", kwargs={"pk": trip["package"].pk})
    response = pm_client.get(url, {"start_date": day.isoformat(), "adults": 2})
    assert response.status_code == 200
    body = response.content.decode()
    assert trip["tour"].title in body and trip["room"].name in body
    assert response.context["preview"].retail_total == Decimal("300.00")


def test_the_live_breakdown_uses_the_unsaved_markup(pm_client, trip, day):
    url = reverse("packages:breakdown", kwargs={"pk": trip["package"].pk})
    data = pm_client.get(
        url,
        {"start_date": day.isoformat(), "adults": 2, "markup_value": "10", "rounding_step": "5"},
    ).json()
    assert data["per_person"] == "165.00"  # 300 × 1.1 / 2 = 165
    assert data["net_total"] == "248.00" and data["vat_regime"] == "margin_74ter"
    assert {o["net"] for o in data["operators"]} == {"48.00", "200.00"}
    trip["package"].refresh_from_db()
    assert trip["package"].markup_value == 0  # nothing saved
    bad = pm_client.get(url, {"markup_value": "abc"})
    assert bad.status_code == 400


def test_adding_a_component_of_an_unpublished_product_shows_the_error(pm_client, trip):
    draft = ProductFactory(status="draft")
    url = reverse("packages:component_add", kwargs={"pk": trip["package"].pk})
    response = pm_client.post(
        url,
        {
            "product": draft.pk,
            "day": 1,
            "slot_rule": "first_after",
            "quantity_rule": "per_person",
            "quantity": 1,
            "required": "on",
        },
    )
    assert response.status_code == 400
    assert "only published products" in response.context["component_form"].errors["product"][0]
    assert Component.objects.filter(package=trip["package"]).count() == 2


def test_adding_a_component_from_the_builder(pm_client, trip):
    tour, _ = bookable_experience(days_ahead=11)
    url = reverse("packages:component_add", kwargs={"pk": trip["package"].pk})
    response = pm_client.post(
        url,
        {
            "product": tour.pk,
            "day": 2,
            "slot_rule": "first_after",
            "quantity_rule": "per_person",
            "quantity": 1,
            "required": "on",
        },
    )
    assert response.status_code == 302
    assert trip["package"].components.get(product=tour).day_offset == 1
    search = pm_client.get(reverse("packages:product_search"), {"q": tour.title_en}).json()
    assert [r["id"] for r in search["results"]] == [tour.pk]


def test_clone_publish_and_unpublish(pm_client, trip):
    package = trip["package"]
    response = pm_client.post(reverse("packages:action", args=[package.pk, "clone"]))
    copy = Package.objects.exclude(pk=package.pk).get()
    assert response["Location"].endswith(reverse("packages:builder", kwargs={"pk": copy.pk}))
    pm_client.post(reverse("packages:action", args=[copy.pk, "publish"]))
    copy.refresh_from_db()
    assert copy.status == "published"
    pm_client.post(reverse("packages:action", args=[copy.pk, "unpublish"]))
    copy.refresh_from_db()
    assert copy.status == "unpublished"


def test_the_month_calendar(pm_client, trip, day):
    url = reverse("packages:calendar", kwargs={"pk": trip["package"].pk})
    response = pm_client.get(url, {"month": day.strftime("%Y-%m"), "adults": 2})
    assert response.status_code == 200
    states = {d.date: d.state for week in response.context["weeks"] for d in week if d}
    assert states[day] == "available"


def _policy():
    policy = CancellationPolicy.objects.create(name="Standard DMC")
    CancellationTier.objects.create(policy=policy, days_before=30, penalty_percent=10)
    CancellationTier.objects.create(policy=policy, days_before=7, penalty_percent=50)
    return policy


def test_the_pre_contract_page_and_pdf_in_italian_and_english(client, trip, day):
    dmc_user()  # creates the DMC organisation
    package = trip["package"]
    package.cancellation_policy = _policy()
    package.guarantee_min_pax = 6
    package.meals_en, package.meals_it = "Breakfast every day", "Colazione ogni giorno"
    package.save()

    page = client.get(f"/en/packages/{package.slug}/", {"start_date": day.isoformat(), "adults": 2})
    assert page.status_code == 200
    html = page.content.decode()
    for expected in (
        "Itinerary",
        "Hotel 3 stars",
        "Breakfast every day",
        "300.00",
        "Fondo Garanzia Viaggi",
        "Piana di Lucca DMC",
        "at least 6 participants",
    ):
        assert expected in html, expected

    pdf = client.get(
        f"/en/packages/{package.slug}/pre-contract.pdf",
        {"start_date": day.isoformat(), "adults": 2},
    )
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    for expected in (
        package.title_en,
        "Day 1",
        trip["tour"].title_en,
        "Hotel 3 stars",
        "2 nights",
        "Breakfast every day",
        "Total price, taxes and fees included",
        "300.00",
        "Deposit on booking",
        "at least 6 participants",
        "from 30 days before departure",
        "50%",
        "Assicurazioni Esempio S.p.A.",
        "RC-123",
        "Fondo Garanzia Viaggi",
        "FG-456",
        "Piana di Lucca DMC",
        "74-ter",
    ):
        assert expected in text, expected

    pdf_it = client.get(f"/it/packages/{package.slug}/pre-contract.pdf")
    text_it = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_it.content)).pages)
    assert package.title_it in text_it and "Colazione ogni giorno" in text_it


def test_an_unpublished_package_has_no_public_page(client, trip):
    package = trip["package"]
    package.status = "draft"
    package.save()
    assert client.get(f"/en/packages/{package.slug}/").status_code == 404
    assert client.get(f"/en/packages/{package.slug}/pre-contract.pdf").status_code == 404
    assert client.get("/en/packages/no-such-package/").status_code == 404


def test_a_departure_series_from_the_builder_refuses_dates_outside_validity(pm_client, trip):
    package = trip["package"]
    url = reverse("packages:departure_series", kwargs={"pk": package.pk})
    response = pm_client.post(
        url,
        {
            "start": (package.valid_from - timedelta(days=5)).isoformat(),
            "end": package.valid_until.isoformat(),
            "weekdays": ["6"],
            "capacity": 20,
        },
    )
    assert response.status_code == 400
    assert "validity" in str(response.context["series_form"].errors)
    assert not package.departures.exists()


def _form_data(package, **changes):
    from packages.forms import PackageForm

    form = PackageForm(instance=package)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    data.update(changes)
    return data


def test_saving_the_package_form_from_the_builder(pm_client, trip):
    package = trip["package"]
    url = reverse("packages:builder", kwargs={"pk": package.pk})
    response = pm_client.post(
        url, _form_data(package, title_en="Walls and more", markup_value="12")
    )
    assert response.status_code == 302, response.context["form"].errors
    package.refresh_from_db()
    assert package.title_en == "Walls and more" and package.markup_value == Decimal("12")
    # a markup below the nets: the field error, nothing saved
    response = pm_client.post(url, _form_data(package, markup_value="-50"))
    assert response.status_code == 400
    assert "below the operators' nets" in response.context["form"].errors["markup_value"][0]
    package.refresh_from_db()
    assert package.markup_value == Decimal("12")
