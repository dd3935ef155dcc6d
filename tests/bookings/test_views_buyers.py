"""Trade partners' bookings with the rooming list, and the traveller's own bookings."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bookings import services
from bookings.models import BookingStatus, LineStatus, Participant
from tests.bookings.factories import hold_experience
from tests.bookings.test_rooming import HEADER, group_booking
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trade_setup(client):
    booking, unit_type = group_booking()
    partner = booking.buyer_organisation
    client.force_login(MembershipFactory(organisation=partner).user)
    return client, booking, unit_type


def csv_file(rows: str):
    return SimpleUploadedFile("rooming.csv", (HEADER + rows).encode(), content_type="text/csv")


def test_the_partner_lists_and_opens_its_bookings(trade_setup):
    client, booking, _ = trade_setup
    other = hold_experience()
    response = client.get(reverse("bookings:trade_list"))
    assert [b.pk for b in response.context["bookings"]] == [booking.pk]
    assert other.reference not in response.content.decode()
    response = client.get(reverse("bookings:trade_detail", args=[booking.reference]))
    assert response.status_code == 200
    assert len(response.context["lines"]) == 2


def test_uploading_a_rooming_list_replaces_the_participants(trade_setup):
    client, booking, _ = trade_setup
    url = reverse("bookings:trade_rooming", args=[booking.reference])
    response = client.post(
        url, {"file": csv_file("Anna,Rossi,IT,,,,,,1,Camera doppia,yes\nHans,Weber,DE,,,,,,1,,\n")}
    )
    assert response.status_code == 302
    assert booking.participants.count() == 2
    page = client.get(url)
    assert "Weber" in page.content.decode()


def test_a_rooming_list_with_errors_shows_them_row_by_row_and_imports_nothing(trade_setup):
    client, booking, _ = trade_setup
    Participant.objects.create(booking=booking, first_name="Kept", last_name="One")
    response = client.post(
        reverse("bookings:trade_rooming", args=[booking.reference]),
        {"file": csv_file("Anna,Rossi,ITA,,,,,,1,Suite,\n")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [
        (2, "nationality"),
        (2, "room_type"),
    ]
    assert "Suite" in html
    assert list(booking.participants.values_list("first_name", flat=True)) == ["Kept"]


def test_add_edit_and_remove_a_participant_in_the_pages(trade_setup):
    client, booking, unit_type = trade_setup
    add = reverse("bookings:trade_participant_add", args=[booking.reference])
    response = client.post(
        add, {"first_name": "Eva", "last_name": "Neri", "nationality": "XX", "room": ""}
    )
    assert response.status_code == 400
    assert not booking.participants.exists()
    client.post(add, {"first_name": "Eva", "last_name": "Neri", "nationality": "it"})
    eva = booking.participants.get()
    edit = reverse("bookings:trade_participant_edit", args=[booking.reference, eva.pk])
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "first_name": "Eva",
            "last_name": "Neri",
            "nationality": "IT",
            "room": "12",
            "unit_type": unit_type.pk,
            "dietary_needs": "vegan",
        },
    )
    eva.refresh_from_db()
    assert (eva.room, eva.dietary_needs) == ("12", "vegan")
    client.post(edit, {"action": "delete"})
    assert not booking.participants.exists()


def test_the_rooming_csv_downloads(trade_setup):
    client, booking, _ = trade_setup
    Participant.objects.create(booking=booking, first_name="Anna", last_name="Rossi")
    response = client.get(reverse("bookings:trade_rooming_csv", args=[booking.reference]))
    assert response.content.decode().splitlines()[1].startswith("Anna,Rossi")


def test_the_partner_cancels_one_line_after_seeing_the_penalty(trade_setup):
    client, booking, _ = trade_setup
    booking = services.booking_confirm(booking=booking)
    tour = booking.lines.get(kind="experience")
    url = reverse("bookings:trade_cancel", args=[booking.reference])
    page = client.get(url, {"line": tour.pk})
    assert page.status_code == 200
    assert "waive_penalty" not in page.context["form"].fields
    response = client.post(url, {"lines": [tour.pk], "reason": "buyer", "action": "preview"})
    expected = services.cancellation_preview(booking=booking, line_ids=[tour.pk])
    assert response.context["preview"] == expected > 0
    tour.refresh_from_db()
    assert tour.status == LineStatus.ACTIVE
    # a buyer cannot pick the "extraordinary" reason to dodge the penalty
    response = client.post(
        url, {"lines": [tour.pk], "reason": "extraordinary", "action": "confirm"}
    )
    tour.refresh_from_db()
    assert tour.status == LineStatus.ACTIVE
    client.post(url, {"lines": [tour.pk], "reason": "buyer", "action": "confirm"})
    tour.refresh_from_db()
    booking.refresh_from_db()
    assert tour.status == LineStatus.CANCELLED
    assert booking.status == BookingStatus.CONFIRMED


def test_the_partner_downloads_the_voucher_once_confirmed(trade_setup):
    client, booking, _ = trade_setup
    url = reverse("bookings:trade_voucher", args=[booking.reference])
    assert client.get(url).status_code == 404
    services.booking_confirm(booking=booking)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- travellers ----------------------------------------------------------------------------


@pytest.fixture
def traveller_booking(client):
    traveller = UserFactory()
    booking = hold_experience(adults=2, days_ahead=20)
    type(booking).objects.filter(pk=booking.pk).update(buyer_user=traveller)
    booking.refresh_from_db()
    client.force_login(traveller)
    return client, services.booking_confirm(booking=booking)


def test_the_traveller_sees_only_its_own_bookings(traveller_booking):
    client, booking = traveller_booking
    other = hold_experience()
    response = client.get(reverse("bookings:account_list"))
    assert [b.pk for b in response.context["bookings"]] == [booking.pk]
    assert (
        client.get(reverse("bookings:account_detail", args=[booking.reference])).status_code == 200
    )
    for name in ("account_detail", "account_cancel", "account_voucher"):
        assert client.get(reverse(f"bookings:{name}", args=[other.reference])).status_code == 404


def test_the_traveller_cancels_with_the_penalty_preview(traveller_booking):
    client, booking = traveller_booking
    url = reverse("bookings:account_cancel", args=[booking.reference])
    response = client.post(url, {"reason": "buyer", "action": "preview"})
    assert response.context["preview"] == Decimal("18.00")  # 30% from 30 days before
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    client.post(url, {"reason": "buyer", "action": "confirm"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert (booking.penalty_total, booking.refund_due) == (Decimal("18.00"), Decimal("42.00"))


def test_the_traveller_downloads_the_voucher(traveller_booking):
    client, booking = traveller_booking
    response = client.get(reverse("bookings:account_voucher", args=[booking.reference]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_anonymous_visitors_are_sent_to_login(client):
    booking = hold_experience()
    response = client.get(reverse("bookings:account_detail", args=[booking.reference]))
    assert response.status_code == 302 and "login" in response["Location"]
