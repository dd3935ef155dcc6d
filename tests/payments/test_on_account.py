"""On-account bookings within the credit limit, computed from the ledger; bank transfers
typed by finance or imported from a CSV and matched by booking reference."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from bookings.models import Booking, BookingStatus, TradeContract
from payments.credit import bank_csv_import, receipt_record
from payments.models import BankTransaction, EntryKind, LedgerEntry, ScheduleItem
from payments.selectors import partner_credit_left, partner_outstanding
from tests.factories import MembershipFactory, OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    partner = OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")
    TradeContract.objects.create(
        organisation=partner, on_account=True, credit_limit=Decimal("100.00"), deposit_percent=0
    )
    return partner


@pytest.fixture
def partner_client(api_client, partner):
    _key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def _hold(partner_client, adults=2):
    product, slot = bookable_experience()
    body = {
        "contact_name": "Hans Müller",
        "contact_email": "hans@example.de",
        "lines": [
            {
                "product": product.slug,
                "date": slot.date.isoformat(),
                "slot": slot.pk,
                "adults": adults,
            }
        ],
    }
    return partner_client.post("/api/v1/bookings/", body, format="json").json()["reference"]


def test_on_account_within_the_credit_limit_then_refused_beyond_it(partner_client, partner):
    first = _hold(partner_client)  # 60.00
    assert partner_client.post(f"/api/v1/bookings/{first}/confirm/").status_code == 200
    assert partner_outstanding(partner) == Decimal("60.00")
    assert partner_credit_left(partner) == Decimal("40.00")
    entry = LedgerEntry.objects.get(kind=EntryKind.ON_ACCOUNT)
    assert (entry.amount_cents, entry.counterparty) == (6000, partner)
    item = ScheduleItem.objects.get(booking__reference=first)
    assert item.kind == "on_account"
    assert item.due_date == timezone.localdate() + timedelta(days=30)

    second = _hold(partner_client)
    refused = partner_client.post(f"/api/v1/bookings/{second}/confirm/")
    assert refused.status_code == 402
    assert "40.00" in refused.json()["error"]["message"]
    assert Booking.objects.get(reference=second).status == BookingStatus.HELD
    assert LedgerEntry.objects.count() == 1


def test_a_bank_csv_receipt_frees_the_credit(partner_client, partner):
    first = _hold(partner_client)
    partner_client.post(f"/api/v1/bookings/{first}/confirm/")
    csv = (
        "data;importo;causale;ordinante;iban\n"
        f"{timezone.localdate():%d/%m/%Y};60,00;Bonifico saldo prenotazione {first};Tuscany Tours;"
        "DE89370400440532013000\n"
        f"{timezone.localdate():%d/%m/%Y};-12,00;Commissioni;Banca;\n"
        f"{timezone.localdate():%d/%m/%Y};15,00;Senza riferimento;Ignoto;\n"
    )
    result = bank_csv_import(content=csv)
    assert len(result.matched) == 1 and len(result.unmatched) == 1
    assert result.skipped_debits == 1
    assert partner_outstanding(partner) == 0
    assert ScheduleItem.objects.get(booking__reference=first).status == "paid"
    again = bank_csv_import(content=csv)
    assert again.duplicates == 2 and not again.matched
    assert LedgerEntry.objects.filter(kind=EntryKind.RECEIPT).count() == 1
    second = _hold(partner_client)
    assert partner_client.post(f"/api/v1/bookings/{second}/confirm/").status_code == 200


def test_a_csv_with_a_bad_line_is_refused_whole(partner_client):
    reference = _hold(partner_client)
    csv = f"date,amount,description\n2026-01-05,10.00,{reference}\nnot-a-date,5,x\n"
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            bank_csv_import(content=csv)
        message = str(error.value)
    assert "line 3" in message
    assert not BankTransaction.objects.exists() and not LedgerEntry.objects.exists()
    with pytest.raises(ValidationError):
        bank_csv_import(content="foo,bar\n1,2\n")


def test_a_transfer_covering_the_deposit_confirms_an_option(partner, partner_client):
    TradeContract.objects.filter(organisation=partner).update(
        deposit_percent=30, balance_days_before=5, on_account=False
    )
    reference = _hold(partner_client)  # 60.00, service in 10 days
    booking = Booking.objects.get(reference=reference)
    receipt_record(booking=booking, amount="18.00", reference="bank:CRO-1")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    kinds = [(i.kind, i.amount, i.status) for i in booking.payment_schedule.order_by("position")]
    assert kinds == [("deposit", Decimal("18.00"), "paid"), ("balance", Decimal("42.00"), "open")]
    assert LedgerEntry.objects.get().kind == EntryKind.DEPOSIT
    with pytest.raises(ValidationError):
        receipt_record(booking=booking, amount="18.00", reference="bank:CRO-1")


def test_the_trade_account_page_shows_balance_and_credit_left(partner_client, partner, client):
    reference = _hold(partner_client)
    partner_client.post(f"/api/v1/bookings/{reference}/confirm/")
    member = MembershipFactory(organisation=partner, role=Role.STAFF).user
    client.force_login(member)
    page = client.get("/en/trade/account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="outstanding">€ 60.00' in html and 'id="credit-left">€ 40.00' in html
    assert reference in html
    other = OrganisationFactory(kind="trade", subkind="travel_agency")
    client.force_login(MembershipFactory(organisation=other).user)
    assert reference not in client.get("/en/trade/account/").content.decode()
    operator = MembershipFactory(organisation=OrganisationFactory()).user
    client.force_login(operator)
    assert client.get("/en/trade/account/").status_code == 404
