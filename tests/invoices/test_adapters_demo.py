"""The demo's documents come from the demo bookings, through the adapters."""

import pytest
from django.core.management import call_command

from invoices.models import BookingInvoicing, Invoice, OperatorStatement

from .adapter_helpers import all_xml_valid
from .helpers import parsed_valid_xml, text

pytestmark = pytest.mark.django_db


def test_the_demo_issues_the_documents_of_the_demo_bookings():
    call_command("seed_demo", "--quiet-logins")
    from_bookings = Invoice.objects.filter(booking_invoicings__isnull=False)
    foreign = from_bookings.filter(customer_country="GB", regime_fiscale="RF01").first()
    assert text(parsed_valid_xml(foreign), ".//CodiceDestinatario") == "XXXXXXX"
    margin = from_bookings.get(regime_fiscale="RF11")
    assert text(parsed_valid_xml(margin), ".//RegimeFiscale") == "RF11"
    assert from_bookings.filter(series__code="RC").count() >= 4
    assert Invoice.objects.filter(document_type="TD04", original__in=from_bookings).exists()
    assert all_xml_valid() >= 3
    statuses = set(BookingInvoicing.objects.values_list("status", flat=True))
    assert statuses >= {"invoiced", "on_account", "nothing"} and "failed" not in statuses
    assert OperatorStatement.objects.filter(lines__isnull=False).exists()
    # issue 11: the month's export holds consumer, foreign, stamp-duty and 74-ter documents,
    # every file validated against the schema by the export itself
    consumer = Invoice.objects.get(booking_reference="PDL-FISC01")
    assert text(parsed_valid_xml(consumer), ".//CodiceDestinatario") == "0000000"
    foreign_person = Invoice.objects.get(booking_reference="PDL-FISC02")
    assert text(parsed_valid_xml(foreign_person), ".//CessionarioCommittente/Sede/Nazione") == "DE"
    stamped = Invoice.objects.filter(stamp_duty__gt=0).first()
    assert stamped is not None and text(parsed_valid_xml(stamped), ".//BolloVirtuale") == "SI"
    from django.utils import timezone

    from invoices import exports

    today = timezone.localdate()
    export = exports.fatturapa_export_month(year=today.year, month=today.month, include_sent=True)
    assert {consumer.xml_filename, foreign_person.xml_filename, stamped.xml_filename} <= set(
        export.files
    )
    assert any(
        d.xml_filename in export.files
        for d in Invoice.objects.filter(regime_fiscale="RF11").exclude(xml_content="")
    )
    counts = (Invoice.objects.count(), OperatorStatement.objects.count())
    call_command("seed_demo", "--quiet-logins")
    assert (Invoice.objects.count(), OperatorStatement.objects.count()) == counts
