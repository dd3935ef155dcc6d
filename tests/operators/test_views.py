"""Operator extranet, DMC curation desk and the iCalendar feed, through the test client."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from operators import services
from operators.models import Product, ProductStatus, Rate, Season, Slot
from tests.factories import MembershipFactory, OrganisationFactory, comune
from tests.operators.factories import (
    NightFactory,
    ProductFactory,
    RateFactory,
    SlotFactory,
    StockFactory,
    UnitTypeFactory,
)
from tests.operators.test_services import image_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(operator_org):
    return ProductFactory(organisation=operator_org, status="published")


@pytest.fixture
def product_manager(db):
    dmc = OrganisationFactory(name="Piana DMC", kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.PRODUCT_MANAGER])
    return user


def content_post(product, **changes):
    data = {
        "title_it": product.title_it,
        "title_en": product.title_en,
        "comune": product.comune_id,
        "vat_rate": "22.00",
        "min_pax": 1,
        "duration_minutes": 120,
        "kind": product.kind,
    }
    data.update(changes)
    return data


def test_the_dashboard_and_listings_show_only_the_own_products(
    owner_client, product, other_operator_org
):
    foreign = ProductFactory(organisation=other_operator_org)
    for name in ("operators:dashboard", "operators:products"):
        response = owner_client.get(reverse(name))
        assert response.status_code == 200
        assert product.title in response.content.decode()
        assert foreign.title not in response.content.decode()


def test_every_product_page_of_another_operator_is_404(owner_client, other_operator_org):
    foreign = ProductFactory(organisation=other_operator_org)
    for name in ("product_edit", "rates", "calendar"):
        url = reverse(f"operators:{name}", args=[foreign.pk])
        assert owner_client.get(url).status_code == 404
        assert owner_client.post(url, {"form": "stock", "quantity": 1}).status_code == 404
    response = owner_client.post(
        reverse("operators:product_status", args=[foreign.pk]), {"to_status": "archived"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "published"


def test_trade_partners_and_travellers_have_no_extranet(client, user):
    trade = OrganisationFactory(kind="trade", subkind="tour_operator")
    member = MembershipFactory(organisation=trade).user
    client.force_login(member)
    assert client.get(reverse("operators:dashboard")).status_code == 404
    client.force_login(user)
    assert client.get(reverse("operators:dashboard")).status_code == 404


def test_a_staff_member_reads_but_cannot_edit(client, staff_member, product):
    client.force_login(staff_member)
    assert client.get(reverse("operators:product_edit", args=[product.pk])).status_code == 200
    response = client.post(
        reverse("operators:product_edit", args=[product.pk]), content_post(product, title_en="X")
    )
    assert response.status_code == 403


def test_creating_a_listing_makes_a_draft(owner_client, operator_org):
    url = reverse("operators:product_create") + "?kind=goods"
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {
            "kind": "goods",
            "title_it": "Miele di castagno",
            "title_en": "Chestnut honey",
            "comune": comune("Capannori").pk,
            "vat_rate": "10.00",
            "fulfilment": "pickup",
        },
    )
    product = Product.objects.get(title_en="Chestnut honey")
    assert response.status_code == 302
    assert product.status == "draft" and product.organisation == operator_org
    assert product.slug == "chestnut-honey"


def test_an_unknown_comune_and_a_missing_english_title_are_field_errors(owner_client):
    url = reverse("operators:product_create") + "?kind=experience"
    response = owner_client.post(
        url, {"kind": "experience", "title_it": "Visita", "comune": 99999, "vat_rate": "22"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "comune" in form.errors and "title_en" in form.errors
    assert not Product.objects.exists()


def test_editing_published_content_keeps_it_on_sale_as_a_draft_revision(owner_client, product):
    url = reverse("operators:product_edit", args=[product.pk])
    page = owner_client.get(url).content.decode()
    assert "stays on sale until the DMC approves" in page  # the operator is told before saving
    response = owner_client.post(
        url, content_post(product, description_en="New words", max_pax=product.max_pax)
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED and not product.description_en
    assert product.revisions.get().data == {"description_en": "New words"}
    page = owner_client.get(url).content.decode()
    assert "New words" in page  # the form shows the draft


def test_photo_upload_and_refusal_of_a_non_image(owner_client, operator_org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = ProductFactory(organisation=operator_org, status="draft")
    url = reverse("operators:product_photos", args=[draft.pk])
    assert owner_client.post(url, {"image": image_file(), "alt_text": "Walls"}).status_code == 302
    assert draft.photos.count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    response = owner_client.post(url, {"image": fake})
    assert response.status_code == 400
    assert "image" in response.context["photo_form"].errors
    assert draft.photos.count() == 1


def test_rates_editor_computes_the_net_and_refuses_net_above_retail(owner_client, product):
    url = reverse("operators:rates", args=[product.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {
            "form": "rate",
            "pax_category": "adult",
            "weekdays": list("1234567"),
            "min_group": 1,
            "retail_price": "50.00",
            "net_price": "60.00",
        },
    )
    assert response.status_code == 400
    assert "net_price" in response.context["rate_form"].errors
    owner_client.post(
        url,
        {
            "form": "rate",
            "pax_category": "adult",
            "weekdays": list("1234567"),
            "min_group": 1,
            "retail_price": "50.00",
        },
    )
    assert Rate.objects.get(product=product).net_price == Decimal("40.00")
    product.refresh_from_db()
    assert product.status == "published"  # a price change keeps it on sale


def test_overlapping_season_in_the_form(owner_client, product):
    url = reverse("operators:rates", args=[product.pk])
    owner_client.post(
        url,
        {"form": "season", "name": "Alta", "start_date": "2027-04-01", "end_date": "2027-10-31"},
    )
    response = owner_client.post(
        url,
        {"form": "season", "name": "Estate", "start_date": "2027-07-01", "end_date": "2027-08-01"},
    )
    assert "start_date" in response.context["season_form"].errors
    assert Season.objects.filter(product=product).count() == 1


def test_calendar_month_grid_bulk_edit_and_capacity_below_booked(owner_client, product):
    day = timezone.localdate() + timedelta(days=10)
    slot = SlotFactory(product=product, date=day, capacity=10, sold=6)
    url = reverse("operators:calendar", args=[product.pk]) + f"?month={day:%Y-%m}"
    page = owner_client.get(url)
    assert page.status_code == 200
    assert any(slot in cell.slots for week in page.context["weeks"] for cell in week)
    response = owner_client.post(
        url,
        {"form": "slot_bulk", "start": day, "end": day, "weekdays": list("1234567"), "capacity": 4},
    )
    assert response.status_code == 400
    assert "6 places" in str(response.context["forms"]["slot_bulk"].errors)
    response = owner_client.post(
        url, {"form": "slot_edit", "slot": slot.pk, "capacity": "2.5", "status": "open"}
    )
    assert response.status_code == 400
    owner_client.post(
        url, {"form": "slot_edit", "slot": slot.pk, "capacity": 12, "status": "closed"}
    )
    slot.refresh_from_db()
    assert (slot.capacity, slot.status) == (12, "closed")


def test_weekly_schedule_generates_slots_up_to_the_booking_horizon(owner_client, product):
    url = reverse("operators:calendar", args=[product.pk])
    response = owner_client.post(
        url,
        {
            "form": "schedule",
            "weekdays": ["6", "7"],
            "start_time": "09:30",
            "duration_minutes": 90,
            "capacity": 15,
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    # Two weekend days a week for the two-year horizon (731 days): 208 or 210 slots.
    assert 208 <= Slot.objects.filter(product=product).count() <= 210


def test_a_slot_outside_the_bookable_dates_is_a_form_error(owner_client, operator_org):
    today = timezone.localdate()
    product = ProductFactory(organisation=operator_org, available_until=today + timedelta(days=5))
    url = reverse("operators:calendar", args=[product.pk])
    response = owner_client.post(
        url,
        {
            "form": "slot",
            "date": (today + timedelta(days=9)).isoformat(),
            "start_time": "10:00",
            "capacity": 5,
        },
    )
    assert response.status_code == 400
    assert "date" in response.context["forms"]["slot"].errors


def test_night_bulk_edit_from_the_calendar(owner_client, operator_org):
    unit_type = UnitTypeFactory(product__organisation=operator_org)
    start = timezone.localdate() + timedelta(days=3)
    for i in range(4):
        NightFactory(unit_type=unit_type, date=start + timedelta(days=i))
    url = reverse("operators:calendar", args=[unit_type.product.pk])
    response = owner_client.post(
        url,
        {
            "form": "night_bulk",
            "unit_type": unit_type.pk,
            "start": start,
            "end": start + timedelta(days=1),
            "min_stay": 2,
            "closed_to_arrival": "1",
            "price_override": "140.00",
        },
    )
    assert response.status_code == 302
    nights = list(unit_type.nights.order_by("date"))
    assert [n.min_stay for n in nights] == [2, 2, None, None]
    assert nights[0].closed_to_arrival and not nights[2].closed_to_arrival
    assert nights[1].price_override == Decimal("140.00")


def test_stock_below_sold_is_refused_in_the_form(owner_client, operator_org):
    stock = StockFactory(product__organisation=operator_org, quantity=10, sold=5)
    url = reverse("operators:calendar", args=[stock.product.pk])
    response = owner_client.post(url, {"form": "stock", "quantity": 3})
    assert response.status_code == 400
    assert "5 items" in str(response.context["forms"]["stock"].errors)
    owner_client.post(url, {"form": "stock", "quantity": 30})
    stock.refresh_from_db()
    assert stock.quantity == 30


def test_the_ical_feed_needs_only_its_secret_token(client, product):
    SlotFactory(product=product, capacity=12, sold=3)
    token = services.product_ical_token(product=product)
    response = client.get(reverse("operators:ical_feed", args=[token]))  # no session
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = list(calendar.walk("VEVENT"))
    assert "3/12" in str(event["SUMMARY"])
    assert client.get(reverse("operators:ical_feed", args=["x" * 43])).status_code == 404
    services.product_ical_token(product=product, rotate=True)
    assert client.get(reverse("operators:ical_feed", args=[token])).status_code == 404


def test_curation_desk_queue_review_and_rejection_reason(client, product_manager, operator_org):
    submitted = ProductFactory(organisation=operator_org, status="submitted")
    RateFactory(product=submitted)
    client.force_login(product_manager)
    queue = client.get(reverse("operators:curation_queue"))
    assert submitted in queue.context["submitted"]
    url = reverse("operators:curation_review", args=[submitted.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "rejected", "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    client.post(url, {"action": "rejected", "reason": "Photos missing."})
    submitted.refresh_from_db()
    assert submitted.status == "rejected" and submitted.rejection_reason == "Photos missing."
    assert client.get(reverse("operators:catalogue")).status_code == 200


def test_the_operator_reads_the_rejection_reason(owner_client, operator_org):
    rejected = ProductFactory(
        organisation=operator_org, status="rejected", rejection_reason="Add an English text."
    )
    page = owner_client.get(reverse("operators:product_edit", args=[rejected.pk]))
    assert "Add an English text." in page.content.decode()
    assert (
        "Add an English text." in owner_client.get(reverse("operators:dashboard")).content.decode()
    )


def test_operators_cannot_open_the_curation_desk(owner_client):
    assert owner_client.get(reverse("operators:curation_queue")).status_code == 404
    assert owner_client.get(reverse("operators:catalogue")).status_code == 404


def test_approve_then_publish_from_the_desk(client, product_manager, operator_org):
    submitted = ProductFactory(organisation=operator_org, status="submitted")
    client.force_login(product_manager)
    url = reverse("operators:curation_review", args=[submitted.pk])
    client.post(url, {"action": "approved"})
    client.post(url, {"action": "published"})
    submitted.refresh_from_db()
    assert submitted.status == "published"
    assert submitted.curation_events.count() == 2


def test_the_listing_editor_runs_a_fixed_number_of_queries(
    owner_client, product, django_assert_max_num_queries
):
    for _ in range(5):
        RateFactory(product=product)
    with django_assert_max_num_queries(30):
        owner_client.get(reverse("operators:rates", args=[product.pk]))
