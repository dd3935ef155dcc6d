"""Month end across bookings, payments and invoices (issue 10, "Done means"): a month with a
served booking, a no-show, a cancellation with its penalty, amendments (a line added, a
package line amended), a refund that fails at Stripe and is retried, and bank transfers
imported from an Italian CSV export (Dare/Avere, `1.200,00`) and from CAMT.053 XML.
Then: per operator, statements = payables = payouts to the cent; invoices minus credit
notes = ledger charges minus refunds, booking by booking (every euro has a document)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from accounts.demo import italian_iban
from bookings import services as booking_services
from bookings.models import BookingStatus
from bookings.package_lines import PackageLineRequest
from invoices import adapters
from invoices.coverage import CASH_KINDS, documented_total, ledger_uncovered
from invoices.models import BookingInvoicing, DocumentType, Invoice
from operators.pricing import PaxMix
from payments.credit import bank_statement_import
from payments.gateway import to_cents
from payments.models import (
    EntryKind,
    LedgerEntry,
    OperatorPayable,
    PayableStatus,
    Payment,
    Refund,
    RefundStatus,
)
from payments.payouts import payables_release_due, payout_run_create, payout_run_mark_paid
from payments.refunds import refund_retry
from payments.selectors import booking_paid
from tests.factories import OrganisationFactory
from tests.invoices.factories import dmc_org
from tests.operators.factories import bookable_experience, bookable_stay
from tests.packages.factories import ComponentFactory, PackageFactory

from .helpers import pay

pytestmark = pytest.mark.django_db


def _hold(product, slot, adults, **kwargs):
    return booking_services.booking_hold(
        lines=[
            booking_services.LineRequest(
                product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults)
            )
        ],
        channel="web",
        contact_name="Anna Rossi",
        contact_email="anna@example.com",
        **kwargs,
    )


def _months(first: date, last: date) -> list[tuple[int, int]]:
    months, cursor = [], first.replace(day=1)
    while cursor <= last:
        months.append((cursor.year, cursor.month))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt><GrpHdr><MsgId>STMT-9</MsgId><CreDtTm>{day}T18:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>9</Id>
   <Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>CAMT-REF-1</AcctSvcrRef>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Klaus Weber</Nm></Dbtr></RltdPties>
     <RmtInf><Ustrd>Buchung {ref}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
  </Stmt></BkToCstmrStmt></Document>"""


def test_a_month_end_agrees_to_the_cent(localstripe, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    dmc_org()  # the issuer of the receipts
    today = timezone.localdate()
    guide = OrganisationFactory(name="Lucca Guide", iban=italian_iban(41))
    hotel = OrganisationFactory(name="Hotel San Frediano", iban=italian_iban(42))
    tour, slot = bookable_experience(
        organisation=guide, capacity=60, days_ahead=3, adult="30.00", net="24.00", max_pax=50
    )
    walk, walk_slot = bookable_experience(
        organisation=guide, capacity=60, days_ahead=6, adult="45.50", net="36.40"
    )
    stay, room, start = bookable_stay(organisation=hotel, units=6, days_ahead=4)
    package = PackageFactory(duration_days=2, duration_nights=1, valid_from=today)
    ComponentFactory(package=package, product=walk, day_offset=0)
    ComponentFactory(
        package=package, product=stay, unit_type=room, day_offset=0, quantity_rule="per_room"
    )
    bookings = []

    def card(booking):
        with capture(execute=True):
            pay(booking)
        booking.refresh_from_db()
        bookings.append(booking)
        return booking

    card(_hold(tour, slot, 2))  # served: 60.00
    no_show = card(_hold(tour, slot, 3))  # 90.00
    penalty = card(_hold(walk, walk_slot, 2))  # 91.00, cancelled within 7 days: 50%
    grown = card(_hold(tour, slot, 2))  # 60.00 + a room added
    failed = card(_hold(tour, slot, 1))  # 30.00, refund refused then retried
    trip = booking_services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=package,
                start_date=walk_slot.date,
                pax=PaxMix.of(adults=4),
                terms_accepted=True,
            )
        ],
        channel="web",
        contact_name="Emily Clarke",
        contact_email="emily@example.co.uk",
        language="en",
    )
    trip = card(trip)  # 4 x 45.50 + 2 rooms x 120 = 422.00

    # Bank transfers: an Italian export (Dare/Avere, thousands with a dot) and CAMT.053.
    by_italian_csv = _hold(tour, slot, 40)  # 1,200.00
    by_camt = _hold(tour, slot, 2)  # 60.00
    italian = "\r\n".join(
        [
            "Conto corrente IT60X0542811101000000123456",
            "Data contabile;Data valuta;Dare;Avere;Descrizione operazione;CRO",
            f"{today:%d/%m/%Y};{today:%d/%m/%Y};;1.200,00;Bonifico {by_italian_csv.reference};CRO9",
            f"{today:%d/%m/%Y};{today:%d/%m/%Y};4,50;;Commissioni bonifico;CRO10",
        ]
    ).encode("cp1252")
    with capture(execute=True):
        result = bank_statement_import(data=italian)
        assert (len(result.matched), result.skipped_debits) == (1, 1)
        camt = CAMT.format(day=today.isoformat(), amount="60.00", ref=by_camt.reference)
        assert len(bank_statement_import(data=camt.encode()).matched) == 1
    for booking in (by_italian_csv, by_camt):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED
        bookings.append(booking)
    assert booking_paid(by_italian_csv) == Decimal("1200.00")

    # A no-show, recorded after its day.
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        booking_services.booking_complete(booking=no_show, no_show=True)
    # A cancellation with its penalty: the rest refunded, the price credited.
    with capture(execute=True):
        result = booking_services.booking_cancel(booking=penalty, reason="buyer")
    assert result.penalty == Decimal("45.50")
    # A line added to a paid booking: a balance due, paid by card, a supplementary receipt.
    with capture(execute=True):
        booking_services.booking_add_lines(
            booking=grown,
            lines=[
                booking_services.LineRequest(
                    product=stay,
                    day=start,
                    unit_type=room,
                    check_out=start + timedelta(days=2),
                    units=1,
                    pax=PaxMix.of(adults=2),
                )
            ],
            expected_total=Decimal("300.00"),
        )
    with capture(execute=True):
        pay(grown)
    assert booking_paid(grown) == Decimal("300.00")
    # The package line amended from 4 to 2 adults: one room less, refunded and credited.
    line = trip.lines.get(parent__isnull=True)
    preview = booking_services.package_amendment_preview(line=line, pax=PaxMix.of(adults=2))
    assert preview.difference == Decimal("-211.00")
    with capture(execute=True):
        booking_services.booking_amend_package(
            line=line, pax=PaxMix.of(adults=2), expected_total=preview.new_total
        )
    assert booking_paid(trip) == Decimal("211.00")
    # A refund Stripe refuses, retried once Stripe knows the payment again.
    payment = Payment.objects.get(booking=failed)
    real_intent = payment.stripe_payment_intent_id
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id="pi_unknown000")
    with capture(execute=True):
        booking_services.booking_cancel(booking=failed, reason="buyer", waive_penalty=True)
    refused = Refund.objects.get(booking=failed)
    assert refused.status == RefundStatus.FAILED
    assert booking_paid(failed) == Decimal("30.00")
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=real_intent)
    retried = refund_retry(refund=refused)
    assert retried.status == RefundStatus.SUCCEEDED
    assert booking_paid(failed) == Decimal("0.00")

    # --- invoices minus credit notes = ledger charges minus refunds, booking by booking.
    assert ledger_uncovered(bookings=bookings) == []
    cash = LedgerEntry.objects.filter(kind__in=CASH_KINDS).aggregate(t=Sum("amount_cents"))["t"]
    documented = sum(
        (documented_total(BookingInvoicing.objects.get(booking=b)) for b in bookings),
        Decimal("0"),
    )
    assert to_cents(documented) == cash
    expected = (
        Decimal("60.00")  # served
        + Decimal("90.00")  # no-show
        + Decimal("45.50")  # the penalty kept
        + Decimal("300.00")  # 60.00 + the room added
        + Decimal("0.00")  # cancelled, refunded after the retry
        + Decimal("211.00")  # the package after its amendment
        + Decimal("1200.00")  # Italian bank transfer
        + Decimal("60.00")  # CAMT.053
    )
    assert documented == expected
    kinds = set(Invoice.objects.values_list("document_type", flat=True))
    assert kinds == {DocumentType.INVOICE, DocumentType.CREDIT_NOTE}
    grown_docs = BookingInvoicing.objects.get(booking=grown).documents
    assert grown_docs.filter(document_type=DocumentType.INVOICE).count() == 2  # + supplement

    # --- statements = payables = payouts, per operator, to the cent.
    payables_release_due(today=today + timedelta(days=60))
    run = payout_run_create()
    payout_run_mark_paid(run=run)
    for operator in (guide, hotel):
        live = OperatorPayable.objects.filter(operator=operator).exclude(
            status=PayableStatus.CANCELLED
        )
        assert not live.exclude(status=PayableStatus.PAID).exists()
        payables = live.aggregate(t=Sum("amount"))["t"]
        paid_cents = -LedgerEntry.objects.filter(
            kind=EntryKind.PAYOUT, counterparty=operator
        ).aggregate(t=Sum("amount_cents"))["t"]
        assert to_cents(payables) == paid_cents
        owed, paid, opening = Decimal("0"), Decimal("0"), Decimal("0")
        for year, month in _months(today, today + timedelta(days=60)):
            statement = adapters.statement_for_operator(operator=operator, year=year, month=month)
            assert statement.opening_balance == opening
            assert statement.balance == opening + statement.net_total - statement.payouts_total
            owed += statement.net_total
            paid += statement.payouts_total
            opening = statement.balance
        assert (owed, to_cents(paid), opening) == (payables, paid_cents, Decimal("0.00"))
    guide_owed = OperatorPayable.objects.filter(operator=guide).exclude(
        status=PayableStatus.CANCELLED
    )
    # served 48 + no-show 72 + penalty share 36.40 + grown 48 + package 2 x 36.40 + bank
    # 960 + 48 = 1285.20
    assert guide_owed.aggregate(t=Sum("amount"))["t"] == Decimal("1285.20")
