"""Finance matches unmatched bank lines by hand: by booking reference or invoice number;
errors come back as messages and write nothing; only Finance sees the page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import DmcGroup, dmc_groups_ensure
from bookings.models import BookingStatus
from payments.credit import bank_csv_import
from payments.models import BankTransaction, LedgerEntry
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

URL = "payments_pages:bo_bank_unmatched"


@pytest.fixture
def finance(client):
    dmc = OrganisationFactory(kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    return user


def _unmatched(amount="60.00", description="Bonifico soggiorno Rossi"):
    day = timezone.localdate().isoformat()
    result = bank_csv_import(
        content=f"date;amount;description;payer\n{day};{amount};{description};Mario Rossi\n"
    )
    assert len(result.unmatched) == 1
    return result.unmatched[0]


def _post(client, tx, reference):
    return client.post(reverse(URL), {"transaction": tx.pk, "reference": reference}, follow=True)


def test_finance_lists_unmatched_lines_and_matches_one_by_reference(finance, client):
    booking = hold_experience(adults=2)  # 60.00, an option waiting for payment
    tx = _unmatched()
    page = client.get(reverse(URL)).content.decode()
    assert "Bonifico soggiorno Rossi" in page and "Mario Rossi" in page
    response = _post(client, tx, booking.reference.lower())
    assert booking.reference in response.content.decode()  # the success message
    tx.refresh_from_db()
    assert tx.booking == booking and tx.ledger_entry is not None
    assert tx.ledger_entry.method == "bank_transfer" and tx.ledger_entry.amount_cents == 6000
    assert booking_paid(booking) == tx.amount
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # the transfer covered the option
    assert "Bonifico soggiorno Rossi" not in client.get(reverse(URL)).content.decode()


def test_a_line_is_matched_by_invoice_number(finance, client):
    from tests.invoices.factories import draft_for

    booking = hold_experience(adults=2)
    invoice = draft_for(OrganisationFactory(kind="trade", subkind="tour_operator"))
    type(invoice).objects.filter(pk=invoice.pk).update(
        status="issued",
        year=2026,
        sequence=42,
        number="TR-2026-00042",
        issue_date=timezone.localdate(),
        booking_reference=booking.reference,
    )
    tx = _unmatched()
    _post(client, tx, "tr-2026-00042")
    tx.refresh_from_db()
    assert tx.booking == booking and tx.ledger_entry.booking == booking


def test_unknown_reference_and_a_second_match_are_messages_and_write_nothing(finance, client):
    booking = hold_experience(adults=2)
    tx = _unmatched()
    response = _post(client, tx, "NOPE99")
    assert "No booking or invoice NOPE99 was found." in response.content.decode()
    tx.refresh_from_db()
    assert tx.ledger_entry is None and not LedgerEntry.objects.exists()
    response = _post(client, tx, "")
    assert response.status_code == 200 and not LedgerEntry.objects.exists()
    _post(client, tx, booking.reference)
    response = _post(client, tx, booking.reference)
    assert "This bank line is already matched." in response.content.decode()
    assert LedgerEntry.objects.count() == 1
    response = client.post(reverse(URL), {"transaction": 999999, "reference": booking.reference})
    assert response.status_code == 302 and LedgerEntry.objects.count() == 1


def test_other_dmc_staff_operators_and_partners_get_404(client):
    tx = _unmatched()
    booking = hold_experience()
    dmc = OrganisationFactory(kind="dmc", subkind="")
    for user in (
        MembershipFactory(organisation=dmc).user,  # DMC staff, not Finance
        MembershipFactory(organisation=OrganisationFactory()).user,  # an operator
        MembershipFactory(
            organisation=OrganisationFactory(kind="trade", subkind="tour_operator")
        ).user,
    ):
        client.force_login(user)
        assert client.get(reverse(URL)).status_code == 404
        assert _post(client, tx, booking.reference).status_code == 404
    tx.refresh_from_db()
    assert tx.ledger_entry is None and BankTransaction.objects.count() == 1
