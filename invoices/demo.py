"""Demo documents (`manage.py seed_demo`, after the bookings' demo), issued from the demo
bookings through the adapters, so that the back office shows real documents; idempotent.

Besides the bookings' demo, one booking is made here to show the margin/VAT split and a
credit note: a British tour operator (FatturaPA to XXXXXXX) books a package with a wine
tasting, then cancels the tasting. Operator statements are built from the bookings of the
previous and the current month; last month's commission is invoiced to the operators."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation
from bookings import services as booking_services
from bookings.models import Booking
from bookings.notifications import notifications_muted
from bookings.package_lines import PackageLineRequest
from operators.models import Product
from operators.pricing import PaxMix

from . import adapters, services
from .models import BookingInvoicing, Invoice, OperatorStatement, PaymentMethod
from .specs import InvoiceLineSpec

PACKAGE_DEMO = "demo:invoices-heritage-package"
DEMO_PACKAGES = ("artisans-of-villa-basilica", "via-francigena-by-bike-from-altopascio")


def _documents_of_demo_bookings() -> None:
    bookings = Booking.objects.filter(
        notes__startswith="demo:", confirmed_at__isnull=False
    ).order_by("confirmed_at", "pk")
    for booking in bookings:
        adapters.invoice_booking_or_record_failure(booking=booking)
        record = BookingInvoicing.objects.filter(booking=booking).first()
        if record is not None and adapters.pending_credit(record):
            adapters.credit_cancellation_or_record_failure(booking=booking)


def _bookable_package(start):
    """A published demo package and its first available date from `start`, for 2 adults."""
    from packages.models import Package, PackageStatus
    from packages.quotes import package_quote

    pax = PaxMix.of(adults=2)
    for package in Package.objects.filter(slug__in=DEMO_PACKAGES, status=PackageStatus.PUBLISHED):
        first = max(start, package.valid_from or start)
        for shift in range(45):
            day = first + timedelta(days=shift)
            try:
                quote = package_quote(package=package, start_date=day, pax=pax)
            except ValidationError:
                continue
            if quote.available:
                return package, day
    return None, None


def _tasting(day, seats: int):
    product = Product.objects.filter(slug="montecarlo-wine-tasting").first()
    if product is None:
        return None
    slot = (
        product.slots.filter(
            date__gte=day, status="open", capacity__gte=F("sold") + F("held") + seats
        )
        .order_by("starts_at")
        .first()
    )
    if slot is None:
        return None
    return booking_services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=seats)
    )


def _package_with_a_cancelled_tasting() -> Booking | None:
    booking = Booking.objects.filter(notes=PACKAGE_DEMO).first()
    if booking is not None:
        return booking
    heritage = Organisation.objects.filter(slug="heritage-journeys").first()
    package, day = _bookable_package(timezone.localdate() + timedelta(days=21))
    tasting = _tasting(day, 2) if day else None
    if heritage is None or package is None or tasting is None:
        print("  invoices: no demo package bookable; a margin invoice from plain specs instead")
        return None
    with notifications_muted():
        booking = booking_services.booking_hold(
            lines=[tasting],
            package_lines=[
                PackageLineRequest(
                    package=package, start_date=day, pax=PaxMix.of(adults=2), terms_accepted=True
                )
            ],
            channel="trade",
            contact_name="Emma Hughes",
            contact_email="booking@heritage-journeys.example",
            language="en",
            buyer_organisation=heritage,
            buyer_reference="HJ-6034",
            notes=PACKAGE_DEMO,
        )
        booking_services.booking_confirm(booking=booking, via="bank_transfer")
        adapters.invoice_for_booking(booking=booking)
        line = booking.lines.get(parent__isnull=True, kind="experience")
        result = booking_services.booking_cancel(
            booking=booking, reason="buyer", line_ids=[line.pk]
        )
        adapters.credit_note_for_cancellation(booking=booking, result=result)
    return booking


def _margin_invoice_without_booking() -> None:
    """Fallback when no demo package can be booked (dates outside the packages' season): a
    margin-regime invoice from plain specs, so the demo always shows one."""
    giglio = Organisation.objects.filter(slug="viaggi-del-giglio").first()
    if giglio is None or Invoice.objects.filter(booking_reference="PDL-GIGL26").exists():
        return
    services.invoice_issue_from_specs(
        customer=giglio,
        booking_reference="PDL-GIGL26",
        lines=[
            InvoiceLineSpec(
                description="Pacchetto 'Lucca, le mura e Puccini' 3 giorni / 2 notti",
                quantity=Decimal("24"),
                unit_price=Decimal("285.00"),
                kind="package_margin",
                booking_reference="PDL-GIGL26",
            )
        ],
    )


def _receipts_paid_by_card() -> None:
    """Travellers paid by card when they booked (the payments app records it for real)."""
    unpaid = Invoice.objects.issued().filter(
        payment_method=PaymentMethod.CARD, paid_at__isnull=True, document_type="TD01"
    )
    for receipt in unpaid:
        services.invoice_mark_paid(invoice=receipt)


def _statements() -> None:
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    for statement in adapters.statements_for_month(year=last_month.year, month=last_month.month):
        if statement.commission_invoice_id is None and statement.commission_total > 0:
            try:
                adapters.statement_for_operator(
                    operator=statement.operator,
                    year=last_month.year,
                    month=last_month.month,
                    invoice_commission=True,
                )
            except ValidationError as exc:
                print(f"  invoices: commission of {statement.operator} not invoiced: {exc}")
    adapters.statements_for_month(year=today.year, month=today.month)


def _fiscal_showcase() -> None:
    """Documents of issue 11 for the month's export: an Italian traveller's e-invoice (0000000
    + codice fiscale), a foreign traveller's (XXXXXXX, their country), and a document with
    sums outside VAT above EUR 77.47 (stamp duty). Idempotent by reference."""
    from .specs import CustomerData

    if Invoice.objects.filter(booking_reference="PDL-FISC01").exists():
        return
    service = InvoiceLineSpec(
        description="Visita guidata alle mura di Lucca",
        quantity=Decimal("2"),
        unit_price=Decimal("40.98"),
        vat_rate=Decimal("22"),
        booking_reference="PDL-FISC01",
    )
    italian = CustomerData(
        name="Mario Rossi",
        first_name="Mario",
        last_name="Rossi",
        codice_fiscale="RSSMRA85T10A562S",
        address="Via Fillungo 10",
        postcode="55100",
        city="Lucca",
        province="LU",
        country="IT",
    )
    services.invoice_issue_from_specs(
        customer=italian, lines=[service], booking_reference="PDL-FISC01"
    )
    german = CustomerData(
        name="Jana Müller",
        first_name="Jana",
        last_name="Müller",
        address="Hauptstraße 5",
        postcode="80331",
        city="München",
        country="DE",
        language="de",
    )
    services.invoice_issue_from_specs(
        customer=german, lines=[service], booking_reference="PDL-FISC02"
    )
    giglio = Organisation.objects.filter(slug="viaggi-del-giglio").first()
    if giglio is not None:
        services.invoice_issue_from_specs(
            customer=giglio,
            booking_reference="PDL-FISC03",
            lines=[
                InvoiceLineSpec(
                    description="Laboratorio di carta a mano - incassato in nome e per conto "
                    "della Cartiera di Villa Basilica",
                    quantity=Decimal("10"),
                    unit_price=Decimal("18.00"),
                    kind="on_behalf",
                    booking_reference="PDL-FISC03",
                )
            ],
        )


def seed(context: dict) -> None:
    services.series_ensure()
    _documents_of_demo_bookings()
    if _package_with_a_cancelled_tasting() is None:
        _margin_invoice_without_booking()
    _fiscal_showcase()
    _receipts_paid_by_card()
    _statements()
    context["invoices"] = {
        "documents": Invoice.objects.issued().count(),
        "statements": OperatorStatement.objects.count(),
    }
