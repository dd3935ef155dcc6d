"""Invoice test data: the DMC, an Italian agency, a German tour operator, line specs."""

from decimal import Decimal

from accounts.demo import italian_iban, partita_iva
from accounts.models import Organisation
from invoices.models import (
    CustomerKind,
    DocumentType,
    Invoice,
    OperatorStatement,
    RegimeFiscale,
)
from invoices.services import series_ensure
from invoices.specs import CustomerData, InvoiceLineSpec
from tests.factories import OrganisationFactory, comune


def dmc_org() -> Organisation:
    existing = Organisation.objects.filter(kind="dmc").first()
    if existing:
        return existing
    piva = partita_iva(1)
    return OrganisationFactory(
        name="Piana di Lucca DMC",
        slug="piana-di-lucca-dmc",
        kind="dmc",
        subkind="",
        legal_name="Piana di Lucca DMC Srl",
        partita_iva=piva,
        codice_fiscale=piva,
        address="Cortile Carrara 1",
        postcode="55100",
        comune=comune("Lucca"),
        city="Lucca",
        iban=italian_iban(1),
        email="amministrazione@pianadilucca.example",
    )


def italian_agency(name="Viaggi del Giglio", **extra) -> Organisation:
    fields = {
        "kind": "trade",
        "subkind": "travel_agency",
        "legal_name": f"{name} Srl",
        "partita_iva": partita_iva(2000 + Organisation.objects.count()),
        "address": "Via dei Calzaiuoli 7",
        "postcode": "50122",
        "city": "Firenze",
        "comune": None,
        "sdi_code": "M5UXCR1",
    }
    fields.update(extra)
    return OrganisationFactory(name=name, **fields)


def german_tour_operator(name="Tuscany Discovery Tours", **extra) -> Organisation:
    fields = {
        "kind": "trade",
        "subkind": "tour_operator",
        "legal_name": f"{name} GmbH",
        "country": "DE",
        "vat_number": "DE129273398",
        "address": "Leopoldstraße 40",
        "postcode": "80802",
        "city": "München",
        "comune": None,
    }
    fields.update(extra)
    return OrganisationFactory(name=name, **fields)


def traveller(**extra) -> CustomerData:
    data = {"name": "Anna Rossi", "kind": CustomerKind.CONSUMER, "email": "anna@example.com"}
    data.update(extra)
    return CustomerData(**data)


def package_line(price="1250.00", qty="2", ref="PDL-7K3M") -> InvoiceLineSpec:
    return InvoiceLineSpec(
        description="Pacchetto 'Lucca e le ville' 3 notti",
        quantity=Decimal(qty),
        unit_price=Decimal(price),
        kind="package_margin",
        booking_reference=ref,
    )


def service_line(price="100.00", qty="1", vat="22", description="Visita guidata alle mura"):
    return InvoiceLineSpec(
        description=description,
        quantity=Decimal(qty),
        unit_price=Decimal(price),
        vat_rate=Decimal(vat),
        kind="service",
    )


def tourist_tax_line(amount="3.50", qty="6"):
    return InvoiceLineSpec(
        description="Imposta di soggiorno Lucca",
        quantity=Decimal(qty),
        unit_price=Decimal(amount),
        kind="tourist_tax",
    )


def draft_for(organisation) -> Invoice:
    """A draft owned by `organisation` (for the tenancy walk: no fiscal data needed)."""
    series = series_ensure()["TR"]
    return Invoice.objects.create(
        series=series,
        document_type=DocumentType.INVOICE,
        regime_fiscale=RegimeFiscale.ORDINARY,
        customer_organisation=organisation,
        customer_kind=CustomerKind.BUSINESS,
        customer_name=organisation.name,
    )


def statement_for(organisation) -> OperatorStatement:
    import datetime

    return OperatorStatement.objects.get_or_create(
        operator=organisation, period_start=datetime.date(2026, 1, 1)
    )[0]


SCOPED_MODEL_FACTORIES = {
    Invoice: draft_for,
    OperatorStatement: statement_for,
}
