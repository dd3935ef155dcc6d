"""Cross-border basics kept as data with their references: a B2B service to a business
outside Italy is out of scope (art. 7-ter, N2.1) unless a special rule applies (events and
accommodation where they happen); a non-EU business without a VAT number can be invoiced;
the VAT rate of passenger transport is checked."""

from decimal import Decimal

import pytest

from invoices.models import BookingInvoicing, FiscalTreatment

from .adapter_helpers import confirmed, documents_of, experience
from .factories import german_tour_operator
from .helpers import parsed_valid_xml

pytestmark = pytest.mark.django_db


def test_b2b_service_to_an_eu_business_is_n2_1(dmc, german, django_capture_on_commit_callbacks):
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=2, adult="50.00", kind="service")],
        buyer=german,
    )
    [document] = documents_of(booking)
    line = document.lines.get()
    assert (line.natura, line.vat_rate, line.amount) == ("N2.1", None, Decimal("100.00"))
    summary = parsed_valid_xml(document).find(".//DatiRiepilogo")
    assert summary.findtext("Natura") == "N2.1" and "7-ter" in summary.findtext(
        "RiferimentoNormativo"
    )


def test_events_stay_taxed_where_they_happen(dmc, german, django_capture_on_commit_callbacks):
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=2, adult="50.00")],  # an experience: art. 7-quinquies
        buyer=german,
    )
    [document] = documents_of(booking)
    assert document.lines.get().vat_rate == Decimal("22.00") and document.vat_total > 0


def test_a_non_eu_business_without_vat_number_is_invoiced(dmc, django_capture_on_commit_callbacks):
    american = german_tour_operator(
        name="Boston Tours", country="US", vat_number="", postcode="02108", city="Boston"
    )
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=1, adult="80.00", kind="service")],
        buyer=american,
    )
    [document] = documents_of(booking)
    root = parsed_valid_xml(document)
    buyer = root.find(".//CessionarioCommittente")
    assert buyer.findtext(".//IdPaese") == "US" and buyer.findtext(".//IdCodice") == "99999999999"
    assert document.lines.get().natura == "N2.1"


def test_passenger_transport_rate_is_checked(dmc, django_capture_on_commit_callbacks):
    transfer = experience(adults=2, adult="40.00", kind="service")
    FiscalTreatment.objects.create(
        sales_model="resale",
        product=transfer.product,
        treatment="vat",
        required_vat_rate=Decimal("10.00"),
        legal_reference="Art. 7-quater c.1 b); Tab. A parte III n. 127-novies DPR 633/72",
    )
    booking = confirmed(django_capture_on_commit_callbacks, lines=[transfer])  # at 22%
    record = BookingInvoicing.objects.get(booking=booking)
    assert record.status == "failed" and "10.00%" in record.problems["vat_rate"]
    assert documents_of(booking) == []
