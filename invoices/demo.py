"""Demo documents (`manage.py seed_demo`), built from plain line specs; idempotent.
They will be replaced by booking-driven ones once the booking adapters exist."""

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Organisation

from . import services
from .models import Invoice, OperatorStatement
from .specs import InvoiceLineSpec, PayoutSpec, StatementLineSpec


def _once(reference: str, build):
    existing = Invoice.objects.filter(booking_reference=reference, original__isnull=True).first()
    return existing or build()


def seed(context: dict) -> None:
    services.series_ensure()
    organisations = {o.slug: o for o in Organisation.objects.filter(kind__in=["trade", "operator"])}
    giglio = organisations.get("viaggi-del-giglio")
    tuscany = organisations.get("tuscany-discovery-tours")
    if giglio is None or tuscany is None:
        return
    today = date.today()

    margin = _once(
        "PDL-GIGL26",
        lambda: services.invoice_issue_from_specs(
            customer=giglio,
            booking_reference="PDL-GIGL26",
            lines=[
                InvoiceLineSpec(
                    description="Pacchetto 'Lucca, le mura e Puccini' 3 giorni / 2 notti, "
                    "gruppo parrocchiale",
                    quantity=Decimal("24"),
                    unit_price=Decimal("285.00"),
                    kind="package_margin",
                    booking_reference="PDL-GIGL26",
                ),
                InvoiceLineSpec(
                    description="Imposta di soggiorno Comune di Lucca (24 pax x 2 notti)",
                    quantity=Decimal("48"),
                    unit_price=Decimal("3.50"),
                    kind="tourist_tax",
                    booking_reference="PDL-GIGL26",
                ),
            ],
        ),
    )
    services_invoice = _once(
        "PDL-TDT481",
        lambda: services.invoice_issue_from_specs(
            customer=tuscany,
            booking_reference="PDL-TDT481",
            lines=[
                InvoiceLineSpec(
                    description="Guided walk on Lucca's walls, English-speaking guide",
                    quantity=Decimal("18"),
                    unit_price=Decimal("22.95"),
                    vat_rate=Decimal("22"),
                    booking_reference="PDL-TDT481",
                ),
                InvoiceLineSpec(
                    description="Montecarlo DOC wine tasting with lunch",
                    quantity=Decimal("18"),
                    unit_price=Decimal("38.00"),
                    vat_rate=Decimal("22"),
                    booking_reference="PDL-TDT481",
                ),
                InvoiceLineSpec(
                    description="Hotel San Frediano, double room, 2 nights",
                    quantity=Decimal("18"),
                    unit_price=Decimal("95.00"),
                    vat_rate=Decimal("10"),
                    booking_reference="PDL-TDT481",
                ),
            ],
        ),
    )
    if not services_invoice.is_paid:
        services.invoice_mark_paid(invoice=services_invoice)
    if not margin.credit_notes.exists():
        services.credit_note_issue(
            invoice=margin,
            lines=[
                InvoiceLineSpec(
                    description="Riduzione gruppo: 2 partecipanti in meno",
                    quantity=Decimal("2"),
                    unit_price=Decimal("285.00"),
                    kind="package_margin",
                    booking_reference="PDL-GIGL26",
                )
            ],
            reason="Riduzione partecipanti prenotazione PDL-GIGL26",
        )

    guide = organisations.get("lucca-guide-autorizzate")
    last_month = today.replace(day=1) - timedelta(days=1)
    if guide and not OperatorStatement.objects.filter(operator=guide).exists():
        start = last_month.replace(day=1)
        lines = [
            StatementLineSpec(
                f"PDL-{code}",
                start + timedelta(days=day),
                product,
                gross,
                commission,
                gross - commission,
            )
            for code, day, product, gross, commission in [
                ("M4R1", 2, "Le mura di Lucca a piedi", Decimal("360.00"), Decimal("72.00")),
                ("K9TZ", 8, "Puccini e la sua città", Decimal("240.00"), Decimal("48.00")),
                ("TDT481", 14, "Le mura di Lucca a piedi", Decimal("413.10"), Decimal("82.62")),
                ("Q2WE", 21, "Le leggende di Lucca", Decimal("180.00"), Decimal("36.00")),
            ]
        ]
        services.operator_statement_build(
            operator=guide,
            year=start.year,
            month=start.month,
            lines=lines,
            payouts=[PayoutSpec(start + timedelta(days=15), "tr_demo_0001", Decimal("480.00"))],
            invoice_commission=True,
        )
