"""The DMC's partner pages (list, contract editor with history, applications) and the
public application form."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Organisation, Role
from bookings.models import TradeContract
from tests.factories import MembershipFactory
from tests.packages.factories import dmc_user
from trade.models import ContractChange, PartnerApplication, PriceRule

from .factories import contract_with_rules, partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(dmc_user(group=None))
    return client


@pytest.fixture
def tours():
    org = partner(name="Tuscany Tours", slug="tuscany-tours")
    contract_with_rules(org, {"basis": "commission", "percent": 15, "scope": "experience"})
    return org


def test_the_partner_list_shows_contract_credit_and_exposure(staff_client, tours):
    page = staff_client.get(reverse("trade:backoffice_list"))
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["organisation"] == tours)
    assert row["version"] is not None
    assert row["exposure"] == Decimal("0")
    assert "Tuscany Tours" in page.content.decode()


def test_partners_and_strangers_never_reach_the_back_office(client, tours):
    assert client.get(reverse("trade:backoffice_list")).status_code == 302  # sign in first
    member = MembershipFactory(organisation=tours, role=Role.OWNER).user
    client.force_login(member)
    for url in (
        reverse("trade:backoffice_list"),
        reverse("trade:backoffice_detail", args=[tours.slug]),
        reverse("trade:backoffice_applications"),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("trade:backoffice_terms", args=[tours.slug]), {})
    assert response.status_code == 404


def test_editing_the_contract_records_who_changed_what(staff_client, tours):
    contract = tours.trade_contract
    version = contract.versions.get()
    url = reverse("trade:backoffice_rule_create", args=[tours.slug, version.pk])
    response = staff_client.post(
        url, {"basis": "markup", "percent": "12", "scope": "accommodation", "markets": "de at"}
    )
    assert response.status_code == 302
    rule = PriceRule.objects.get(version=version, basis="markup")
    assert rule.markets == "DE, AT"
    change = ContractChange.objects.filter(contract=contract).first()
    assert change.actor is not None and "Rule added" in change.summary
    # a bad rule: a clear error, nothing written
    before = PriceRule.objects.count()
    bad = staff_client.post(url, {"basis": "commission", "percent": "100", "markets": "Germany"})
    assert bad.status_code == 400
    assert PriceRule.objects.count() == before
    assert "below 100%" in bad.content.decode()
    # terms
    response = staff_client.post(
        reverse("trade:backoffice_terms", args=[tours.slug]),
        {
            "option_days": 7,
            "credit_limit": "5000.00",
            "payment_terms_days": 30,
            "deposit_percent": "25",
            "balance_days_before": 21,
            "on_account": "on",
        },
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.option_days, contract.credit_limit) == (7, Decimal("5000.00"))
    terms_change = ContractChange.objects.filter(summary="Terms changed").get()
    assert terms_change.changes["option_days"] == ["3", "7"]
    page = staff_client.get(reverse("trade:backoffice_detail", args=[tours.slug]))
    assert "Terms changed" in page.content.decode()


def test_a_new_version_starts_from_the_rules_in_force(staff_client, tours):
    response = staff_client.post(
        reverse("trade:backoffice_version_create", args=[tours.slug]),
        {"valid_from": "2031-01-01", "copy_rules": "on", "note": "2031"},
    )
    assert response.status_code == 302
    newest = tours.trade_contract.versions.order_by("-valid_from").first()
    assert newest.rules.count() == 1
    duplicate = staff_client.post(
        reverse("trade:backoffice_version_create", args=[tours.slug]), {"valid_from": "2031-01-01"}
    )
    assert duplicate.status_code == 400


def test_another_partners_rule_or_version_is_404(staff_client, tours):
    other = partner(name="Other Tours", slug="other-tours")
    _c, version = contract_with_rules(other, {"basis": "commission", "percent": 5})
    rule = version.rules.get()
    assert (
        staff_client.post(
            reverse("trade:backoffice_rule_delete", args=[tours.slug, rule.pk])
        ).status_code
        == 404
    )
    assert (
        staff_client.post(
            reverse("trade:backoffice_rule_create", args=[tours.slug, version.pk]),
            {"basis": "commission", "percent": "5"},
        ).status_code
        == 404
    )
    operator = Organisation.objects.create(name="Op", slug="op", kind="operator")
    assert (
        staff_client.get(reverse("trade:backoffice_detail", args=[operator.slug])).status_code
        == 404
    )
    assert PriceRule.objects.filter(pk=rule.pk).exists()


APPLICATION = {
    "company_name": "Donau Reisen GmbH",
    "subkind": "tour_operator",
    "country": "de",
    "vat_number": "DE 136 695 976",
    "licence_number": "HRB 1234",
    "markets": "de, at",
    "contact_name": "Lena Huber",
    "contact_email": "lena@donau.example",
    "accept": "on",
}


def test_the_public_application_validates_fiscal_data(client, django_capture_on_commit_callbacks):
    url = reverse("trade:apply")
    assert client.get(url).status_code == 200
    bad = client.post(url, {**APPLICATION, "vat_number": "DE123"})
    assert bad.status_code == 200 and "not a valid EU VAT number" in bad.content.decode()
    italian = client.post(url, {**APPLICATION, "country": "IT", "vat_number": ""})
    assert "Partita IVA" in italian.content.decode()
    assert PartnerApplication.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, APPLICATION)
    assert response.status_code == 302
    application = PartnerApplication.objects.get()
    assert (application.vat_number, application.markets, application.country) == (
        "DE136695976",
        "DE, AT",
        "DE",
    )
    assert mail.outbox and mail.outbox[-1].to == ["lena@donau.example"]


def test_approval_creates_the_partner_its_contract_and_invites_the_applicant(
    staff_client, django_capture_on_commit_callbacks
):
    application = PartnerApplication.objects.create(
        **{k: v for k, v in APPLICATION.items() if k != "accept"}
        | {"country": "DE", "vat_number": "DE136695976", "markets": "DE"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("trade:backoffice_application", args=[application.pk]),
            {"decision": "approve"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    org = application.organisation
    assert org.kind == "trade" and org.vat_number == "DE136695976"
    assert TradeContract.objects.get(organisation=org).versions.count() == 1
    invitation = Invitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role) == ("lena@donau.example", "owner")
    # decided once
    again = staff_client.post(
        reverse("trade:backoffice_application", args=[application.pk]), {"decision": "approve"}
    )
    assert again.status_code == 302
    assert Organisation.objects.filter(kind="trade", name="Donau Reisen GmbH").count() == 1


def test_refusal_needs_a_reason_and_tells_the_applicant(
    staff_client, django_capture_on_commit_callbacks
):
    application = PartnerApplication.objects.create(
        **{k: v for k, v in APPLICATION.items() if k != "accept"} | {"country": "DE"}
    )
    url = reverse("trade:backoffice_application", args=[application.pk])
    assert staff_client.post(url, {"decision": "refuse", "reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"decision": "refuse", "reason": "No licence for Italy"})
    application.refresh_from_db()
    assert application.status == "refused"
    assert "No licence for Italy" in mail.outbox[-1].body
