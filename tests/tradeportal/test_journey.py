"""The group journey in the trade portal, as Tuscany Discovery Tours' staff would do it:
search -> quote -> PDF -> send -> option -> name list -> confirm on account; over the credit
limit the option stays with its reason and a payment link; cancel with the penalty first."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Channel
from tests.tradeportal.factories import group_products, member, partner
from tradeportal.models import Quote, QuoteStatus

pytestmark = pytest.mark.django_db

ROOMING_HEADER = (
    "first_name,last_name,nationality,birth_date,document_type,document_number,"
    "dietary_needs,accessibility_needs,room,room_type,leader\n"
)


@pytest.fixture
def tdt(client):
    organisation = partner()
    user = member(organisation)
    client.force_login(user)
    return client, organisation, user


def _add(client, offer_form: dict, quote: str = "") -> None:
    data = {**offer_form, "quote": quote, "back": reverse("tradeportal:search")}
    response = client.post(reverse("tradeportal:quote_add_line"), data)
    assert response.status_code == 302, response


def _offer_fields(offer) -> dict:
    fields = {
        "day": offer.day.isoformat(),
        "adults": offer.pax.adults,
        "seniors": offer.pax.seniors,
        "children_ages": ",".join(str(a) for a in offer.pax.children_ages),
        "infants": offer.pax.infants,
        "units": offer.units,
    }
    if offer.package:
        fields["package"] = offer.package.pk
    else:
        fields["product"] = offer.product.pk
    if offer.slot:
        fields["slot"] = offer.slot.pk
    if offer.unit_type:
        fields["unit_type"] = offer.unit_type.pk
        fields["check_out"] = offer.check_out.isoformat()
    return fields


def _search(client, start, **extra):
    params = {
        "start": start.isoformat(),
        "end": (start + timedelta(days=2)).isoformat(),
        "adults": 20,
        **extra,
    }
    response = client.get(reverse("tradeportal:search"), params)
    assert response.status_code == 200
    return response


def _build_quote(client, products) -> Quote:
    response = _search(client, products["start"], rooms_double=10)
    offers = {
        o.product.pk: o
        for entry in response.context["results"]
        for o in entry.offers
        if o.product is not None
    }
    tour_offer, stay_offer = offers[products["tour"].pk], offers[products["hotel"].pk]
    assert tour_offer.price.amount == Decimal("600.00")  # 20 x 30
    assert stay_offer.units == 10
    assert stay_offer.price.amount == Decimal("2400.00")  # 10 rooms x 2 nights x 120
    _add(client, _offer_fields(tour_offer))
    quote = Quote.objects.get()
    _add(client, _offer_fields(stay_offer), quote=quote.reference)
    quote.refresh_from_db()
    return quote


def test_the_whole_journey_confirmed_on_account(tdt, django_capture_on_commit_callbacks):
    client, organisation, user = tdt
    products = group_products()
    page = client.get(reverse("tradeportal:home"))
    assert page.status_code == 200
    assert "25000" in page.content.decode().replace(",", "").replace(".", "")

    quote = _build_quote(client, products)
    assert quote.organisation == organisation
    assert quote.lines.count() == 2
    assert quote.total == Decimal("3000.00")
    page = client.get(reverse("tradeportal:quote", args=[quote.reference]))
    assert page.status_code == 200
    assert "3,000.00" in page.content.decode() or "3000.00" in page.content.decode()

    pdf = client.get(reverse("tradeportal:quote_pdf", args=[quote.reference]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    client.post(
        reverse("tradeportal:quote", args=[quote.reference]),
        {
            "title": "Lucca spring group",
            "client_reference": "TDT-2027-04",
            "client_email": "client@reisen.example",
            "valid_until": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tradeportal:quote_send", args=[quote.reference]))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    sent = [m for m in mail.outbox if quote.reference in m.subject]
    assert len(sent) == 1
    assert {"client@reisen.example", user.email, "groups@tdt.example"} <= set(sent[0].to)
    assert sent[0].attachments[0][0] == f"quote-{quote.reference}.pdf"
    assert sent[0].attachments[0][1].startswith(b"%PDF")

    before = timezone.now()
    response = client.post(reverse("tradeportal:quote_convert", args=[quote.reference]), {})
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tradeportal:option", args=[booking.reference])
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.booking == booking
    assert booking.status == BookingStatus.HELD
    assert booking.channel == Channel.TRADE
    assert booking.buyer_organisation == organisation
    assert booking.buyer_reference == "TDT-2027-04"
    assert booking.total_retail == Decimal("3000.00")
    assert before + timedelta(days=5) - timedelta(minutes=1) <= booking.expires_at
    assert booking.expires_at <= timezone.now() + timedelta(days=5)
    products["slot"].refresh_from_db()
    assert products["slot"].held == 20

    option = client.get(reverse("tradeportal:option", args=[booking.reference]))
    html = option.content.decode()
    assert reverse("bookings:trade_rooming", args=[booking.reference]) in html
    assert reverse("tradeportal:option_confirm", args=[booking.reference]) in html

    rows = "".join(f"Guest{i},Rossi,DE,,,,,,{i // 2 + 1},,\n" for i in range(20))
    upload = client.post(
        reverse("bookings:trade_rooming", args=[booking.reference]),
        {"file": SimpleUploadedFile("names.csv", (ROOMING_HEADER + rows).encode())},
    )
    assert upload.status_code == 302
    assert booking.participants.count() == 20

    response = client.post(reverse("tradeportal:option_confirm", args=[booking.reference]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    home = client.get(reverse("tradeportal:home"))
    assert booking in home.context["upcoming"]
    assert home.context["credit_left"] == Decimal("22000.00")


def test_over_the_credit_limit_the_option_stays_with_the_reason_and_a_payment_link(client):
    organisation = partner(credit="1000.00")
    buyer, colleague = member(organisation), member(organisation)
    client.force_login(buyer)
    products = group_products(days_ahead=60)  # far enough for a deposit before the balance
    quote = _build_quote(client, products)
    client.post(reverse("tradeportal:quote_convert", args=[quote.reference]), {})
    booking = Booking.objects.get()

    page = client.get(reverse("tradeportal:option", args=[booking.reference]))
    assert page.context["check"].code == "credit_exceeded"
    assert "credit left" in page.content.decode()
    response = client.post(reverse("tradeportal:option_confirm", args=[booking.reference]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    follow = client.get(reverse("tradeportal:option", args=[booking.reference]))
    assert "exceeds your credit left" in follow.content.decode()

    # Another member of the agency opens the payment link and lands on the card checkout.
    client.force_login(colleague)
    response = client.get(reverse("tradeportal:option_pay", args=[booking.reference]))
    assert response.status_code == 302
    checkout = client.get(response["Location"])
    assert checkout.status_code == 200
    assert booking.reference in checkout.content.decode()
    assert checkout.context["due"] == Decimal("900.00")  # the 30 % deposit of 3000


def test_a_partner_without_on_account_is_told_to_pay_by_card(client):
    organisation = partner(on_account=False)
    client.force_login(member(organisation))
    quote = _build_quote(client, group_products())
    client.post(reverse("tradeportal:quote_convert", args=[quote.reference]), {})
    booking = Booking.objects.get()
    page = client.get(reverse("tradeportal:option", args=[booking.reference]))
    assert page.context["check"].code == "on_account_not_allowed"
    assert reverse("tradeportal:option_pay", args=[booking.reference]) in page.content.decode()


def test_cancel_with_the_penalty_previewed_first(tdt):
    client, organisation, _user = tdt
    quote = _build_quote(client, group_products())
    client.post(reverse("tradeportal:quote_convert", args=[quote.reference]), {})
    booking = Booking.objects.get()
    client.post(reverse("tradeportal:option_confirm", args=[booking.reference]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    url = reverse("bookings:trade_cancel", args=[booking.reference])
    page = client.get(url)
    penalties = [row["penalty"] for row in page.context["rows"]]
    assert sum(penalties) > 0
    line_ids = [row["line"].pk for row in page.context["rows"]]
    preview = client.post(url, {"lines": line_ids, "reason": "buyer", "action": "preview"})
    assert preview.context["preview"] == sum(penalties)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # a preview changes nothing
    client.post(url, {"lines": line_ids, "reason": "buyer", "action": "confirm"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.penalty_total == sum(penalties)


def test_amend_an_option_line_previews_then_changes(tdt):
    client, _organisation, _user = tdt
    products = group_products()
    quote = _build_quote(client, products)
    client.post(reverse("tradeportal:quote_convert", args=[quote.reference]), {})
    booking = Booking.objects.get()
    line = booking.lines.get(product=products["tour"])
    url = reverse("tradeportal:option_amend", args=[booking.reference, line.pk])
    assert client.get(url).status_code == 200
    data = {"adults": 22, "seniors": 0, "infants": 0, "children_ages": ""}
    preview = client.post(url, {**data, "action": "preview"})
    assert preview.context["preview"].new_total == Decimal("3060.00")
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("3000.00")
    done = client.post(url, {**data, "action": "confirm", "expected_total": "3060.00"})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("3060.00")


def test_the_option_placed_message_gives_the_expiry_in_the_pages_format(tdt):
    client, _organisation, _user = tdt
    quote = _build_quote(client, group_products())
    response = client.post(
        reverse("tradeportal:quote_convert", args=[quote.reference]), {}, follow=True
    )
    booking = Booking.objects.get()
    message = response.content.decode().split(f"Option {booking.reference} placed:")[1][:120]
    assert timezone.localtime(booking.expires_at).strftime("%Y-%m-%d") not in message
    assert timezone.localtime(booking.expires_at).strftime("%Y") in message
