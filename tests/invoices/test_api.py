import pytest

from invoices import services
from tests.factories import api_key_for

from .factories import package_line, service_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(dmc, agency, german):
    mine = services.invoice_issue_from_specs(customer=agency, lines=[package_line()])
    note = services.credit_note_issue(invoice=mine, full=True, reason="Cancellazione")
    theirs = services.invoice_issue_from_specs(customer=german, lines=[service_line()])
    services.invoice_draft_create(customer=agency, lines=[service_line()])  # drafts stay hidden
    return mine, note, theirs


def test_a_trade_partner_lists_and_downloads_its_documents(api_client, agency, documents):
    mine, note, theirs = documents
    _key, raw = api_key_for(agency)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listing = api_client.get("/api/v1/invoices/").json()
    assert [d["number"] for d in listing["results"]] == [note.number, mine.number]
    detail = api_client.get(f"/api/v1/invoices/{mine.number}/").json()
    assert detail["total"] == "2500.00" and detail["lines"][0]["natura"] == "N5"
    credit = api_client.get("/api/v1/invoices/", {"document_type": "TD04"}).json()
    assert [d["credits_invoice"] for d in credit["results"]] == [mine.number]
    pdf = api_client.get(f"/api/v1/invoices/{mine.number}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xml = api_client.get(f"/api/v1/invoices/{note.number}/xml/")
    assert xml.status_code == 200 and b"TD04" in xml.content


def test_another_partners_document_is_404(api_client, agency, documents):
    _mine, _note, theirs = documents
    _key, raw = api_key_for(agency)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for suffix in ("", "pdf/", "xml/"):
        response = api_client.get(f"/api/v1/invoices/{theirs.number}/{suffix}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_other_kinds_of_organisation_see_nothing(api_client, operator_org, documents):
    _key, raw = api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/invoices/").json()["results"] == []
    assert api_client.get(f"/api/v1/invoices/{documents[0].number}/").status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(
    api_client, agency, documents, django_assert_max_num_queries
):
    for _ in range(5):
        services.invoice_issue_from_specs(customer=agency, lines=[service_line(), service_line()])
    _key, raw = api_key_for(agency)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/invoices/")
    assert response.json()["count"] == 7
