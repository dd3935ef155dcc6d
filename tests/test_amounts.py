"""Amounts of 1,000 EUR or more are grouped the way each language writes them, on pages, in
PDFs and in emails; CSV exports stay plain decimals a spreadsheet reads."""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from bookings import services
from bookings.manage_links import manage_token
from bookings.models import Booking, BookingLine
from bookings.notifications import send_booking_notification
from bookings.vouchers import render_voucher_pdf
from marketplace.amounts import amount_text
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("12345.60")
WRITTEN = {"it": "12.345,60", "de": "12.345,60", "en": "12,345.60", "fr": "12 345,60"}
LANGUAGES = sorted(WRITTEN)


def _spaces(text: str) -> str:
    """French groups with a (narrow) no-break space; PDF text and HTML both fold to a space."""
    return re.sub(r"[\xa0\u202f]|&nbsp;|&#160;", " ", text)


@pytest.fixture
def big_booking():
    booking = services.booking_confirm(booking=hold_experience(adults=2, days_ahead=20))
    Booking.objects.filter(pk=booking.pk).update(total_retail=AMOUNT)
    BookingLine.objects.filter(booking=booking).update(tourist_tax=AMOUNT)
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_amount_helper_groups_per_language(language):
    with translation.override(language):
        assert _spaces(amount_text(AMOUNT)) == WRITTEN[language]
        assert amount_text(Decimal("12.5")) == ("12.50" if language == "en" else "12,50")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_shows_the_total_grouped(client, big_booking, language):
    with translation.override(language):
        url = reverse("bookings:guest_detail", args=[manage_token(big_booking)])
    response = client.get(url)
    assert response.status_code == 200
    page = _spaces(response.content.decode())
    assert f"€ {WRITTEN[language]}" in page
    assert "12345" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_voucher_pdf_shows_the_tourist_tax_grouped(big_booking, language):
    big_booking.language = language
    pdf = render_voucher_pdf(big_booking)
    text = _spaces("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert f"EUR {WRITTEN[language]}" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_booking_email_shows_the_total_grouped(big_booking, language):
    Booking.objects.filter(pk=big_booking.pk).update(language=language)
    big_booking.refresh_from_db()
    mail.outbox.clear()
    send_booking_notification(booking=big_booking, event="confirmed")
    to_buyer = next(m for m in mail.outbox if m.to == [big_booking.contact_email])
    assert f"EUR {WRITTEN[language]}" in _spaces(to_buyer.body)
    assert WRITTEN[language] in _spaces(to_buyer.alternatives[0][0])


def test_the_csv_export_keeps_plain_decimals(client, big_booking):
    dmc = OrganisationFactory(kind="dmc", subkind="dmc")
    client.force_login(MembershipFactory(organisation=dmc).user)
    response = client.get(reverse("bookings:backoffice_export"))
    body = b"".join(response.streaming_content).decode()
    assert "12345.60" in body
    assert "12.345,60" not in body and "12,345.60" not in body
