import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from iat.errors import StockTooLow, UnknownOrigin
from iat.models import Contact, Material, MaterialStock
from iat.selectors import contact_report
from iat.services import contact_record, stock_adjust
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def post_contact(client, office, **extra):
    data = {
        "office": office.pk,
        "channel": "desk",
        "origin": "DE",
        "party_size": 2,
        "language": "de",
        "topics": ["museums", "events"],
        **extra,
    }
    return client.post(reverse("iat:contacts"), data)


def test_the_agent_records_a_contact_in_one_line(agent_client, office):
    response = post_contact(agent_client, office, origin="IT-LU · Lucca (IT)")
    assert response.status_code == 302, response.content.decode()[-3000:]
    contact = Contact.objects.get()
    assert (contact.office, contact.origin, contact.party_size) == (office, "IT-LU", 2)
    assert contact.topics == ["museums", "events"]
    page = agent_client.get(reverse("iat:contacts"))
    assert "Lucca (IT)" in page.content.decode()


def test_an_unknown_origin_is_refused_at_entry(agent_client, office):
    response = post_contact(agent_client, office, origin="Narnia")
    assert response.status_code == 400
    assert "Unknown origin" in response.content.decode()
    assert not Contact.objects.exists()
    with pytest.raises(UnknownOrigin):
        contact_record(
            office=office, actor=None, channel="desk", origin="XX", language="en", topics=[]
        )


def test_another_offices_contact_log_and_report_answer_404(agent_client, office, other_office):
    assert agent_client.get(reverse("iat:contacts"), {"office": other_office.pk}).status_code == 404
    assert post_contact(agent_client, other_office).status_code == 404
    assert (
        agent_client.get(reverse("iat:office_report"), {"office": other_office.pk}).status_code
        == 404
    )
    assert not Contact.objects.exists()


def test_travellers_and_operators_do_not_reach_the_desk(client, office):
    client.force_login(UserFactory())
    assert client.get(reverse("iat:contacts")).status_code == 404
    operator = MembershipFactory(organisation=OrganisationFactory(kind="operator")).user
    client.force_login(operator)
    assert client.get(reverse("iat:contacts")).status_code == 404
    assert client.get(reverse("iat:network_report")).status_code == 404


def _known_month(office, other_office):
    def add(o, day, origin, party, topics, channel="desk"):
        contact_record(
            office=o,
            actor=None,
            channel=channel,
            origin=origin,
            party_size=party,
            language="en",
            topics=topics,
            at=timezone.make_aware(datetime(2026, 5, day, 10)),
        )

    add(office, 2, "DE", 2, ["museums"])
    add(office, 3, "DE", 1, ["museums", "events"], channel="phone")
    add(office, 31, "IT-LU", 4, ["transport"])
    add(other_office, 4, "FR", 3, ["food_wine"])
    add(office, 1, "GB", 1, [])  # June? no: May 1st counts
    contact_record(
        office=office,
        actor=None,
        channel="desk",
        origin="US",
        language="en",
        topics=[],
        at=timezone.make_aware(datetime(2026, 6, 1, 10)),
    )


def test_the_monthly_report_figures_per_office_and_network(office, other_office):
    _known_month(office, other_office)
    one = contact_report(year=2026, month=5, offices=[office])
    assert (one["contacts"], one["visitors"]) == (4, 8)
    assert one["by"]["origin"] == {"DE": 2, "IT-LU": 1, "GB": 1}
    assert one["by"]["topic"]["museums"] == 2 and one["by"]["channel"]["phone"] == 1
    network = contact_report(year=2026, month=5, offices=[office, other_office])
    assert (network["contacts"], network["visitors"]) == (5, 11)


def test_report_csv_and_xlsx(agent_client, office, other_office):
    _known_month(office, other_office)
    url = reverse("iat:office_report")
    csv_response = agent_client.get(url, {"month": "2026-05", "format": "csv"})
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "code", "label", "count"]
    assert ["Total", "visitors", "Visitors", "8"] in rows
    assert ["Origin", "DE", "Germany", "2"] in rows
    xlsx = agent_client.get(url, {"month": "2026-05", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("Total", "contacts", "Contacts", 4) in values


def test_stock_never_goes_below_zero(office):
    stock = MaterialStock.objects.create(
        office=office,
        language="en",
        quantity=5,
        material=Material.objects.create(name="Map", kind="map"),
    )
    assert stock_adjust(stock=stock, delta=-5).quantity == 0
    with pytest.raises(StockTooLow):
        stock_adjust(stock=stock, delta=-1)
