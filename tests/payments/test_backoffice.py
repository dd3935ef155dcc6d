"""Back-office pages for DMC finance; everyone else gets 404."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.services import DmcGroup, dmc_groups_ensure
from bookings.models import TradeContract
from payments.models import ReconciliationReport
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

from .helpers import pay

pytestmark = pytest.mark.django_db

PAGES = [
    "payments_pages:bo_payments",
    "payments_pages:bo_ledger",
    "payments_pages:bo_payouts",
    "payments_pages:bo_reconciliation",
    "payments_pages:bo_credit",
    "payments_pages:bo_bank_import",
    "payments_pages:bo_bank_unmatched",
]


@pytest.fixture
def finance(client):
    dmc = OrganisationFactory(kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    return user


def test_finance_sees_every_page(finance, client, localstripe):
    booking = hold_experience(adults=2)
    pay(booking)
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(
        organisation=partner, credit_limit=Decimal("5000"), on_account=True
    )
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    assert booking.reference in client.get(reverse("payments_pages:bo_payments")).content.decode()
    from django.utils import translation

    with translation.override("it"):
        ledger_url = reverse("payments_pages:bo_ledger")
    ledger = client.get(ledger_url).content.decode()
    assert "€ 60,00" in ledger  # Italian formatting under /it/
    credit = client.get(reverse("payments_pages:bo_credit")).content.decode()
    assert partner.name in credit and "5.000,00" in credit  # grouped in Italian
    nav = client.get("/en/backoffice/payments/").content.decode()
    assert 'href="/en/backoffice/payments/" aria-current="page"' in nav


def test_other_dmc_staff_and_operators_get_404(client):
    dmc = OrganisationFactory(kind="dmc", subkind="")
    client.force_login(MembershipFactory(organisation=dmc).user)  # DMC, not Finance
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404
    client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404


def test_the_booking_page_runs_a_fixed_number_of_queries(
    finance, client, localstripe, django_assert_max_num_queries
):
    booking = hold_experience(adults=2)
    pay(booking)
    url = reverse("payments_pages:bo_booking_payments", args=[booking.reference])
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_reconciliation_page_runs_the_day(finance, client, localstripe):
    from django.utils import timezone

    booking = hold_experience(adults=2)
    pay(booking)
    today = timezone.localdate()
    response = client.post(reverse("payments_pages:bo_reconciliation"), {"day": today.isoformat()})
    assert response.status_code == 302
    report = ReconciliationReport.objects.get(day=today)
    assert report.is_clean and report.stripe_cents == report.ledger_cents == 6000
    page = client.get(response["Location"]).content.decode()
    assert "matches" in page


def test_the_payments_list_shows_the_net_paid_once_per_ledger_row(finance, client, localstripe):
    """A charge and a partial refund: the list shows charge minus refund, not a multiple."""
    from payments.refunds import refund_create
    from payments.selectors import bookings_with_payments

    booking = hold_experience(adults=2)  # 60.00
    pay(booking)
    refund_create(booking=booking, amount="20.00", reason="Goodwill")
    row = bookings_with_payments().get(pk=booking.pk)
    assert row.paid_cents == 4000
