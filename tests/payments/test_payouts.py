"""Operator payouts: accrual at confirmation, payable after the service, payout runs paid by
a SEPA pain.001 file or by Stripe Connect (tested against a recorded Stripe response,
since localstripe does not simulate Connect)."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import stripe
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.demo import italian_iban
from accounts.models import Role
from payments.connect import transfer_to_connected_account
from payments.models import (
    AttentionItem,
    EntryKind,
    LedgerEntry,
    OperatorPayable,
    PayableStatus,
    PayoutProfile,
)
from payments.payouts import (
    payables_release_due,
    payout_run_create,
    payout_run_mark_paid,
    payout_run_pay_connect,
    payout_run_sepa_xml,
)
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

from .helpers import pay

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "recorded"


class RecordedHTTPClient(stripe.HTTPClient):
    """Stripe's HTTP layer replaced by a recorded response; the stripe library runs as is."""

    name = "recorded"

    def __init__(self, filename):
        super().__init__()
        self.body = (RECORDED / filename).read_text()
        self.requests = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append((method, url, headers, post_data))
        return self.body, 200, {"Request-Id": "req_recorded"}

    def close(self):
        pass


def _operators():
    sepa = OrganisationFactory(name="Guide Lucca", iban=italian_iban(11))
    no_iban = OrganisationFactory(name="Senza IBAN")
    connect = OrganisationFactory(name="Connected Bikes")
    PayoutProfile.objects.create(organisation=connect, stripe_account_id="acct_1QpLxY4FsVh2n0Lb")
    return sepa, no_iban, connect


def _confirmed_booking(operator, adults=2):
    booking = hold_experience(adults=adults, organisation=operator)
    pay(booking)
    return booking


def test_confirmation_accrues_the_net_amount_payable_after_the_service(localstripe):
    operator = OrganisationFactory(iban=italian_iban(3))
    booking = _confirmed_booking(operator)
    payable = OperatorPayable.objects.get(booking=booking)
    assert (payable.operator, payable.amount, payable.commission) == (
        operator,
        Decimal("48.00"),
        Decimal("12.00"),
    )
    assert payable.status == PayableStatus.ACCRUED
    assert payables_release_due(today=payable.service_date) == 0
    assert payables_release_due(today=payable.service_date + timedelta(days=1)) == 1


def test_a_payout_run_pays_by_sepa_and_connect_and_leaves_out_a_missing_iban(localstripe, caplog):
    sepa, no_iban, connect = _operators()
    for operator in (sepa, no_iban, connect):
        _confirmed_booking(operator)
    payables_release_due(today=timezone.localdate() + timedelta(days=11))
    run = payout_run_create(execution_date=timezone.localdate() + timedelta(days=12))
    items = {i.operator: i for i in run.items.all()}
    assert set(items) == {sepa, connect}
    assert items[sepa].method == "sepa" and items[sepa].amount == Decimal("48.00")
    assert run.skipped == [{"operator": "Senza IBAN", "amount": "48.00"}]
    assert "no valid IBAN" in caplog.text
    assert AttentionItem.objects.filter(organisation=no_iban, reason="payout_no_iban").exists()
    assert OperatorPayable.objects.get(operator=no_iban).status == PayableStatus.PAYABLE

    xml = payout_run_sepa_xml(run=run)
    root = ET.fromstring(xml)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert root.find(".//p:GrpHdr/p:NbOfTxs", ns).text == "1"
    assert root.find(".//p:GrpHdr/p:CtrlSum", ns).text == "48.00"
    assert root.find(".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN", ns).text == sepa.iban

    assert LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).count() == 0
    payout_run_mark_paid(run=run)
    payout_run_mark_paid(run=run)  # twice: once
    payout = LedgerEntry.objects.get(kind=EntryKind.PAYOUT, counterparty=sepa)
    assert payout.amount_cents == -4800
    assert (
        LedgerEntry.objects.get(kind=EntryKind.COMMISSION, counterparty=sepa).amount_cents == 1200
    )
    assert OperatorPayable.objects.get(operator=sepa).status == PayableStatus.PAID

    stub = RecordedHTTPClient("transfer_create.json")
    assert payout_run_pay_connect(run=run, http_client=stub) == 1
    connect_payout = LedgerEntry.objects.get(kind=EntryKind.PAYOUT, counterparty=connect)
    assert connect_payout.stripe_id == "tr_1QpLzW2eZvKYlo2C8Ygx3Rbd"
    assert connect_payout.amount_cents == -4800
    run.refresh_from_db()
    assert run.status == "paid"


def test_transfer_to_connected_account_against_a_recorded_response():
    stub = RecordedHTTPClient("transfer_create.json")
    result = transfer_to_connected_account(
        amount_cents=4800,
        destination="acct_1QpLxY4FsVh2n0Lb",
        transfer_group="payout-run-1",
        idempotency_key="payout-item-1",
        http_client=stub,
    )
    assert result == {
        "id": "tr_1QpLzW2eZvKYlo2C8Ygx3Rbd",
        "amount": 4800,
        "destination": "acct_1QpLxY4FsVh2n0Lb",
    }
    method, url, headers, post_data = stub.requests[0]
    assert method == "post" and url.endswith("/v1/transfers")
    assert headers["Idempotency-Key"] == "payout-item-1"
    sent = parse_qs(post_data.decode() if isinstance(post_data, bytes) else post_data)
    assert sent["amount"] == ["4800"] and sent["currency"] == ["eur"]
    assert sent["destination"] == ["acct_1QpLxY4FsVh2n0Lb"]
    assert json.loads((RECORDED / "transfer_create.json").read_text())["object"] == "transfer"
    with pytest.raises(ValueError):
        transfer_to_connected_account(
            amount_cents=100, destination="not-an-account", transfer_group="x", idempotency_key="y"
        )


def test_a_run_with_only_invalid_ibans_is_refused_and_noted(localstripe):
    operator = OrganisationFactory(name="Bad IBAN")
    _confirmed_booking(operator)
    payables_release_due(today=timezone.localdate() + timedelta(days=11))
    with pytest.raises(ValidationError):
        payout_run_create()
    assert AttentionItem.objects.filter(organisation=operator).count() == 1
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).exists()


def test_the_operator_sees_payable_paid_and_upcoming(localstripe, client):
    operator = OrganisationFactory(iban=italian_iban(7))
    served = _confirmed_booking(operator)
    served.lines.update(redeemed_at=timezone.now())  # redeemed: owed from today
    later = hold_experience(adults=1, organisation=operator, days_ahead=40)
    pay(later)
    payables_release_due()
    client.force_login(MembershipFactory(organisation=operator, role=Role.OWNER).user)
    html = client.get("/en/operator/payouts/").content.decode()
    assert 'id="payable">€ 48.00' in html
    assert 'id="upcoming">€ 24.00' in html
    assert 'id="paid">€ 0.00' in html
    other = OrganisationFactory()
    client.force_login(MembershipFactory(organisation=other, role=Role.OWNER).user)
    assert later.reference not in client.get("/en/operator/payouts/").content.decode()
