"""Manage my booking with or without an account: the signed link in every email to the
guest's contact, the guest page (vouchers, cancel with the penalty first), the throttled
"find my booking" form, and guest bookings in the account of the same verified email."""

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from bookings import services
from bookings.manage_links import manage_path, manage_token
from bookings.models import BookingStatus
from bookings.notifications import send_booking_notification
from tests.bookings.factories import hold_experience
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_booking():
    booking = hold_experience(adults=2, days_ahead=20)
    return services.booking_confirm(booking=booking)


def _link_in(body: str) -> str:
    return re.search(r"https?://\S+/bookings/manage/\S+/", body).group(0)


# --- 1. the signed link and the guest page ---------------------------------------------------


def test_every_email_to_the_guest_carries_the_manage_link(guest_booking):
    for event in ("confirmed", "amended", "cancelled"):
        mail.outbox.clear()
        send_booking_notification(booking=guest_booking, event=event)
        to_guest = next(m for m in mail.outbox if m.to == ["anna@example.com"])
        # in the booking's language, like the rest of the email
        path = f"/it/bookings/manage/{manage_token(guest_booking)}/"
        assert path in to_guest.body and path in to_guest.alternatives[0][0]
        others = [m for m in mail.outbox if m.to != ["anna@example.com"]]
        assert others and all(manage_token(guest_booking) not in m.body for m in others)


def test_a_trade_partners_email_has_no_guest_link():
    booking = hold_experience(buyer_organisation=OrganisationFactory(kind="trade"))
    send_booking_notification(booking=booking, event="held")
    assert all("/bookings/manage/" not in m.body for m in mail.outbox)


def test_the_guest_page_shows_the_booking_and_its_voucher(client, guest_booking):
    response = client.get(manage_path(guest_booking))
    assert response.status_code == 200
    # the token stays off other sites; "no-referrer" would make the browser send Origin: null
    # and fail CSRF on the cancel form
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert guest_booking.reference in response.content.decode()
    voucher = reverse("bookings:guest_voucher", args=[manage_token(guest_booking)])
    assert voucher in response.content.decode()
    pdf = client.get(voucher)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_tampered_link_is_a_clear_404(client, guest_booking):
    other = hold_experience()
    token = manage_token(guest_booking)
    reference, signature = token.split(":")
    forged = f"{other.reference}:{signature}"
    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
        for name in ("guest_detail", "guest_cancel", "guest_voucher"):
            response = client.get(reverse(f"bookings:{name}", args=[bad]))
            assert response.status_code == 404
            assert "This link is not valid" in response.content.decode()
            assert "booking" not in response.context


def test_a_signature_from_another_salt_is_refused(client, guest_booking):
    from django.core import signing

    token = signing.Signer().sign(guest_booking.reference)  # the default salt
    assert client.get(reverse("bookings:guest_detail", args=[token])).status_code == 404


def test_the_guest_cancels_after_seeing_the_penalty_and_the_refund(client, guest_booking):
    url = reverse("bookings:guest_cancel", args=[manage_token(guest_booking)])
    page = client.get(url)
    assert page.status_code == 200 and page.context["rows"][0]["penalty"] == Decimal("18.00")
    response = client.post(url, {"reason": "buyer", "action": "preview"})
    assert response.context["preview"] == Decimal("18.00")  # 30% from 30 days before
    guest_booking.refresh_from_db()
    assert guest_booking.status == BookingStatus.CONFIRMED
    response = client.post(url, {"reason": "buyer", "action": "confirm"})
    assert response.status_code == 302 and response["Location"] == manage_path(guest_booking)
    guest_booking.refresh_from_db()
    assert guest_booking.status == BookingStatus.CANCELLED
    assert (guest_booking.penalty_total, guest_booking.refund_due) == (
        Decimal("18.00"),
        Decimal("42.00"),
    )
    detail = client.get(manage_path(guest_booking))
    assert detail.context["refund"].due == Decimal("42.00")
    assert "42.00" in detail.content.decode() or "42,00" in detail.content.decode()


# --- 2. find my booking ----------------------------------------------------------------------


def test_find_my_booking_emails_the_link_to_the_contact_only(client, guest_booking):
    response = client.post(
        reverse("bookings:guest_find"),
        {"reference": guest_booking.reference.lower(), "email": "ANNA@example.com"},
    )
    assert response.status_code == 200 and response.context["sent"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.com"]
    link = _link_in(mail.outbox[0].body)
    assert client.get(link.split("testserver")[-1]).status_code == 200


def test_another_bookings_reference_with_the_wrong_email_gets_the_same_answer(
    client, guest_booking
):
    right = client.post(
        reverse("bookings:guest_find"),
        {"reference": guest_booking.reference, "email": "anna@example.com"},
    )
    mail.outbox.clear()
    wrong = client.post(
        reverse("bookings:guest_find"),
        {"reference": guest_booking.reference, "email": "mallory@example.com"},
    )
    missing = client.post(
        reverse("bookings:guest_find"), {"reference": "ZZZZZZZZ", "email": "anna@example.com"}
    )
    assert mail.outbox == []
    assert wrong.status_code == missing.status_code == right.status_code == 200
    assert _page(wrong) == _page(missing) == _page(right)
    assert "we have sent it a link" in _page(wrong)


def _page(response) -> str:
    """The page without what changes on every request (CSRF token, CSP nonce)."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def test_find_my_booking_is_throttled_per_client_address(client, guest_booking):
    url = reverse("bookings:guest_find")
    data = {"reference": "ZZZZZZZZ", "email": "x@example.com"}
    for _ in range(5):
        assert client.post(url, data).status_code == 200
    blocked = client.post(url, {"reference": guest_booking.reference, "email": "anna@example.com"})
    assert blocked.status_code == 429 and mail.outbox == []
    assert "Too many attempts" in blocked.content.decode()
    other_address = client.post(url, data, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


# --- 3. guest bookings in the account of the same verified email -----------------------------


def _user_with(email, *, verified):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def test_guest_bookings_appear_in_the_account_of_the_same_verified_email(client, guest_booking):
    other = hold_experience()
    type(other).objects.filter(pk=other.pk).update(contact_email="someone@example.com")
    client.force_login(_user_with("Anna@Example.com", verified=True))
    response = client.get(reverse("bookings:account_list"))
    assert [b.pk for b in response.context["bookings"]] == [guest_booking.pk]
    detail = client.get(reverse("bookings:account_detail", args=[guest_booking.reference]))
    assert detail.status_code == 200
    assert client.get(reverse("bookings:account_detail", args=[other.reference])).status_code == 404


def test_an_unverified_email_sees_nothing(client, guest_booking):
    client.force_login(_user_with("anna@example.com", verified=False))
    response = client.get(reverse("bookings:account_list"))
    assert list(response.context["bookings"]) == []
    for name in ("account_detail", "account_cancel", "account_voucher"):
        url = reverse(f"bookings:{name}", args=[guest_booking.reference])
        assert client.get(url).status_code == 404


def test_a_trade_partners_booking_never_joins_a_travellers_account(client):
    booking = hold_experience(buyer_organisation=OrganisationFactory(kind="trade"))
    client.force_login(_user_with("anna@example.com", verified=True))
    response = client.get(reverse("bookings:account_list"))
    assert booking.pk not in [b.pk for b in response.context["bookings"]]


@pytest.mark.parametrize(
    "lang,text",
    [
        ("it", "Trova la mia prenotazione"),
        ("de", "Meine Buchung finden"),
        ("fr", "Retrouver ma réservation"),
    ],
)
def test_the_find_form_speaks_italian_german_and_french(client, lang, text):
    from django.utils import translation

    with translation.override(lang):
        url = reverse("bookings:guest_find")
    assert text in client.get(url).content.decode()


def test_the_manage_link_email_is_in_the_bookings_language(client, guest_booking):
    client.post(
        reverse("bookings:guest_find"),
        {"reference": guest_booking.reference, "email": "anna@example.com"},
    )
    assert "il tuo link per gestirla" in mail.outbox[0].subject
    assert f"/it/bookings/manage/{manage_token(guest_booking)}/" in mail.outbox[0].body


def test_a_guest_booking_in_the_account_can_ask_for_an_invoice(client, guest_booking):
    client.force_login(_user_with("anna@example.com", verified=True))
    url = reverse("invoices:account_invoice_request", args=[guest_booking.reference])
    assert client.get(url).status_code == 200
    client.force_login(_user_with("anna2@example.com", verified=False))
    assert client.get(url).status_code == 404


def test_the_throttle_counts_the_address_allauth_sees(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    url = reverse("bookings:guest_find")
    data = {"reference": "ZZZZZZZZ", "email": "x@example.com"}
    for _ in range(5):
        client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200
