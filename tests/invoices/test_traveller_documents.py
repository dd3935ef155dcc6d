"""Receipts and credit notes for travellers: listed, downloaded and emailed from the signed
manage-my-booking link and from the account; another booking's document is a 404."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from bookings import services as booking_services
from bookings.manage_links import manage_path, manage_token
from invoices.models import Invoice
from tests.factories import UserFactory

from .adapter_helpers import experience

pytestmark = pytest.mark.django_db


def _paid_and_partly_cancelled(capture):
    booking = booking_services.booking_hold(
        lines=[experience(adults=2, adult="50.00"), experience(adults=2, adult="20.00")],
        channel="web",
        contact_name="Mario Rossi",
        contact_email="mario@example.com",
        language="en",
        hold_for=timedelta(days=1),
    )
    with capture(execute=True):
        booking_services.booking_confirm(booking=booking, via="test")
    line = booking.lines.filter(parent__isnull=True).order_by("position").last()
    with capture(execute=True):
        booking_services.booking_cancel(
            booking=booking, reason="buyer", line_ids=[line.pk], waive_penalty=True
        )
    booking.refresh_from_db()
    return booking


def test_the_guest_link_lists_downloads_and_emails_receipt_and_credit_note(
    dmc, client, django_capture_on_commit_callbacks
):
    booking = _paid_and_partly_cancelled(django_capture_on_commit_callbacks)
    receipt = Invoice.objects.get(booking_reference=booking.reference, original=None)
    credit = Invoice.objects.get(booking_reference=booking.reference, original=receipt)
    page = client.get(manage_path(booking)).content.decode()
    assert "Receipts and credit notes" in page
    assert receipt.number in page and credit.number in page
    token = manage_token(booking)
    pdf = client.get(reverse("invoices:guest_document_pdf", args=[token, credit.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    mail.outbox.clear()
    sent = client.post(reverse("invoices:guest_documents_email", args=[token]))
    assert sent.status_code == 302
    [message] = mail.outbox
    assert message.to == ["mario@example.com"]
    assert booking.reference in message.subject
    assert sorted(name for name, _content, _type in message.attachments) == sorted(
        [f"{receipt.number}.pdf", f"{credit.number}.pdf"]
    )


def test_another_bookings_document_or_a_forged_link_is_404(
    dmc, client, django_capture_on_commit_callbacks
):
    booking = _paid_and_partly_cancelled(django_capture_on_commit_callbacks)
    other = _paid_and_partly_cancelled(django_capture_on_commit_callbacks)
    theirs = Invoice.objects.filter(booking_reference=other.reference).first()
    token = manage_token(booking)
    assert (
        client.get(reverse("invoices:guest_document_pdf", args=[token, theirs.pk])).status_code
        == 404
    )
    forged = token[:-2] + "xx"
    assert (
        client.get(reverse("invoices:guest_document_pdf", args=[forged, theirs.pk])).status_code
        == 404
    )
    mail.outbox.clear()
    client.post(reverse("invoices:guest_documents_email", args=[forged]))
    assert mail.outbox == []


def test_the_account_downloads_and_emails_the_documents_of_its_bookings_only(
    dmc, client, django_capture_on_commit_callbacks
):
    booking = _paid_and_partly_cancelled(django_capture_on_commit_callbacks)
    receipt = Invoice.objects.get(booking_reference=booking.reference, original=None)
    user = UserFactory(email="mario@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    detail = client.get(reverse("bookings:account_detail", args=[booking.reference]))
    assert receipt.number in detail.content.decode()
    url = reverse("invoices:account_document_pdf", args=[booking.reference, receipt.pk])
    assert client.get(url).status_code == 200
    mail.outbox.clear()
    client.post(reverse("invoices:account_documents_email", args=[booking.reference]))
    assert len(mail.outbox) == 1 and len(mail.outbox[0].attachments) == 2
    stranger = UserFactory(email="someone@example.com")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    mail.outbox.clear()
    response = client.post(reverse("invoices:account_documents_email", args=[booking.reference]))
    assert response.status_code == 404 and mail.outbox == []
