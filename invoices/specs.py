"""The plain-data input of the invoicing services, and the arithmetic of a document.

Adapters (invoice from a booking, credit note from a cancellation, monthly summary for a
partner on account, operator statement from bookings and payouts) build these dataclasses
and call `invoices.services`; they never touch the invoice tables.

Conventions:
- `unit_price` is the taxable amount per unit (VAT excluded) for `service` lines; for
  `package_margin` lines it is the price of the package (the margin regime shows no VAT);
  for `tourist_tax` lines it is the tax collected (outside the scope of VAT).
- Amounts are Decimal EUR; a line's amount is quantity x unit price rounded to the cent;
  VAT is computed once per rate on the summed taxable amounts (as the SdI checks it).
- Prices agreed VAT included (bookings: the traveller and the partner saw a gross price)
  give `gross_amount` on every line of a rate (see `vat_included_lines`): the VAT of that
  rate is then the gross minus the taxable amount, so that the document totals exactly what
  the booking totals. It stays within the SdI's one-cent tolerance of taxable x rate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from operators.pricing import money

from .models import CustomerKind, LineKind, Natura, RegimeFiscale

VAT_RATES = (Decimal("4.00"), Decimal("5.00"), Decimal("10.00"), Decimal("22.00"))

# Wording printed on documents and in FatturaPA, fixed legal text (kept in Italian).
MARGIN_REGIME_WORDING = (
    "Regime del margine - agenzie di viaggio (art. 74-ter DPR 633/72): IVA non esposta"
)
NORMATIVE_REFERENCES = {
    Natura.N1: "Escluse ex art. 15 DPR 633/72",
    Natura.N2_1: "Non soggette art. 7-ter DPR 633/72",
    Natura.N5: "Regime del margine - agenzie di viaggio, art. 74-ter DPR 633/72",
    Natura.N2_2: "Non soggette - altri casi",
    Natura.N3_2: "Non imponibili - cessioni intracomunitarie",
    Natura.N4: "Esenti art. 10 DPR 633/72",
}

DEFAULT_NATURA = {
    LineKind.PACKAGE_MARGIN: Natura.N5,
    LineKind.TOURIST_TAX: Natura.N1,
    LineKind.ON_BEHALF: Natura.N1,
    LineKind.STAMP_DUTY: Natura.N1,
}
# Lines without VAT that travel with whichever document the booking's services go on.
ACCESSORY_KINDS = (LineKind.TOURIST_TAX, LineKind.ON_BEHALF, LineKind.STAMP_DUTY)

EU_COUNTRIES = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
    }
)


@dataclass(frozen=True)
class InvoiceLineSpec:
    """One line of a document. Give `vat_rate` for a taxed service, or `natura` (or neither
    for `package_margin` -> N5 and `tourist_tax` -> N1)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal | None = None
    natura: str | None = None
    booking_reference: str | None = None
    kind: Literal["service", "package_margin", "tourist_tax", "on_behalf", "stamp_duty"] = "service"
    service_date: date | None = None
    gross_amount: Decimal | None = None  # VAT included, for prices agreed gross
    service_end_date: date | None = None  # the last service day (DataFinePeriodo)
    sales_model: str = ""

    def normalised(self) -> InvoiceLineSpec:
        """Defaults filled and values checked; raises ValidationError on the `lines` field."""
        kind = LineKind(self.kind) if self.kind in LineKind.values else None
        if kind is None:
            raise ValidationError({"lines": _("Unknown line kind “%s”.") % self.kind})
        if not (self.description or "").strip():
            raise ValidationError({"lines": _("Every line needs a description.")})
        quantity = Decimal(str(self.quantity))
        unit_price = Decimal(str(self.unit_price))
        if quantity <= 0:
            raise ValidationError({"lines": _("A line's quantity must be more than zero.")})
        if unit_price < 0:
            raise ValidationError({"lines": _("A line's unit price cannot be negative.")})
        if quantity != quantity.quantize(Decimal("0.01")) or unit_price != money(unit_price):
            raise ValidationError(
                {"lines": _("Quantities and unit prices have at most two decimals.")}
            )
        vat_rate = None if self.vat_rate is None else Decimal(str(self.vat_rate))
        natura = self.natura or DEFAULT_NATURA.get(kind, "")
        if kind == LineKind.PACKAGE_MARGIN and (vat_rate not in (None, 0) or natura != "N5"):
            raise ValidationError(
                {"lines": _("A package under the margin regime shows no VAT (Natura N5).")}
            )
        if kind in ACCESSORY_KINDS and vat_rate not in (None, 0):
            raise ValidationError({"lines": _("The tourist tax is outside the scope of VAT.")})
        end = self.service_end_date
        if end is not None and (self.service_date is None or end < self.service_date):
            raise ValidationError(
                {"lines": _("A line's last service day cannot be before its first.")}
            )
        if natura:
            if natura not in Natura.values:
                raise ValidationError({"lines": _("Unknown Natura code “%s”.") % natura})
            vat_rate = None
        elif vat_rate is None:
            raise ValidationError(
                {"lines": _("“%s” needs a VAT rate or a Natura code.") % self.description}
            )
        elif vat_rate not in VAT_RATES:
            raise ValidationError(
                {"lines": _("%s%% is not an Italian VAT rate.") % vat_rate.normalize()}
            )
        gross = None if self.gross_amount is None else Decimal(str(self.gross_amount))
        if gross is not None and (
            kind != LineKind.SERVICE or vat_rate is None or gross != money(gross) or gross < 0
        ):
            raise ValidationError(
                {"lines": _("Only a service with a VAT rate has a VAT-included amount.")}
            )
        return InvoiceLineSpec(
            description=self.description.strip(),
            quantity=quantity,
            unit_price=unit_price,
            vat_rate=None if vat_rate is None else vat_rate.quantize(Decimal("0.01")),
            natura=natura or None,
            booking_reference=self.booking_reference or None,
            kind=kind.value,
            service_date=self.service_date,
            gross_amount=gross,
            service_end_date=self.service_end_date or self.service_date,
            sales_model=self.sales_model or "",
        )

    @property
    def amount(self) -> Decimal:
        return money(Decimal(str(self.quantity)) * Decimal(str(self.unit_price)))

    @property
    def is_margin(self) -> bool:
        return self.kind == LineKind.PACKAGE_MARGIN


@dataclass(frozen=True)
class CustomerData:
    """Who the document is addressed to. Build it with `from_organisation` for a trade
    partner or an operator, or directly for a traveller."""

    name: str
    kind: str = CustomerKind.CONSUMER
    country: str = "IT"
    partita_iva: str = ""
    codice_fiscale: str = ""
    vat_number: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    province: str = ""
    sdi_code: str = ""
    pec: str = ""
    email: str = ""
    language: str = "it"
    first_name: str = ""
    last_name: str = ""
    organisation: object | None = field(default=None, compare=False)

    @classmethod
    def from_organisation(cls, organisation, language: str | None = None) -> CustomerData:
        country = (organisation.country or "IT").upper()
        province = organisation.comune.province if organisation.comune_id else ""
        return cls(
            name=organisation.legal_name or organisation.name,
            kind=CustomerKind.BUSINESS,
            country=country,
            partita_iva=organisation.partita_iva or "",
            codice_fiscale=organisation.codice_fiscale or "",
            vat_number=organisation.vat_number or "",
            address=organisation.address or "",
            postcode=organisation.postcode or "",
            city=organisation.city or (organisation.comune.name if organisation.comune_id else ""),
            province=province,
            sdi_code=organisation.sdi_code or "",
            pec=organisation.pec or "",
            email=organisation.email or "",
            language=language or ("it" if country == "IT" else "en"),
            organisation=organisation,
        )

    @property
    def is_business(self) -> bool:
        return self.kind == CustomerKind.BUSINESS

    @property
    def is_italian(self) -> bool:
        return self.country == "IT"

    @property
    def wants_e_invoice(self) -> bool:
        """A traveller who asked for an invoice in their name (an address was given)."""
        return not self.is_business and bool(self.address.strip())

    @classmethod
    def from_invoice_request(cls, request, *, email: str, language: str) -> CustomerData:
        return cls(
            name=f"{request.first_name} {request.last_name}".strip(),
            kind=CustomerKind.CONSUMER,
            country=request.country.upper(),
            codice_fiscale=request.codice_fiscale.upper(),
            address=request.address,
            postcode=request.postcode,
            city=request.city,
            province=request.province.upper(),
            pec=request.pec,
            email=email,
            language=language,
            first_name=request.first_name,
            last_name=request.last_name,
        )


@dataclass(frozen=True)
class VatSummaryRow:
    """One DatiRiepilogo row: a VAT rate, or a Natura without VAT."""

    vat_rate: Decimal | None
    natura: str
    taxable: Decimal
    vat: Decimal

    @property
    def rate_for_xml(self) -> Decimal:
        return self.vat_rate if self.vat_rate is not None else Decimal("0.00")

    @property
    def normative_reference(self) -> str:
        return NORMATIVE_REFERENCES.get(self.natura, "")


@dataclass(frozen=True)
class Totals:
    taxable_total: Decimal  # sum of lines with a VAT rate
    vat_total: Decimal
    non_taxable_total: Decimal  # sum of lines with a Natura
    total: Decimal
    summary: tuple[VatSummaryRow, ...]


def compute_totals(lines) -> Totals:
    """Totals and VAT summary of lines (specs or InvoiceLine rows), exact to the cent.

    A rate whose lines all carry a VAT-included `gross_amount` takes gross minus taxable as
    its VAT when that is within one cent of taxable x rate (the SdI's tolerance); otherwise,
    and for every other rate, VAT is taxable x rate rounded to the cent."""
    groups: dict[tuple, Decimal] = defaultdict(lambda: Decimal("0.00"))
    gross: dict[tuple, Decimal | None] = {}
    for line in lines:
        amount = money(line.amount)
        natura = line.natura or ""
        rate = None if natura else money(line.vat_rate)
        groups[(rate, natura)] += amount
        line_gross = getattr(line, "gross_amount", None)
        key = (rate, natura)
        if line_gross is None or rate is None:
            gross[key] = None
        elif gross.get(key, Decimal("0.00")) is not None:
            gross[key] = gross.get(key, Decimal("0.00")) + money(line_gross)
    rows = []
    for (rate, natura), taxable in sorted(
        groups.items(), key=lambda kv: (kv[0][0] is None, -(kv[0][0] or 0), kv[0][1])
    ):
        vat = money(taxable * rate / 100) if rate is not None else Decimal("0.00")
        group_gross = gross.get((rate, natura))
        if group_gross is not None and abs(group_gross - taxable - taxable * rate / 100) <= (
            Decimal("0.01")
        ):
            vat = money(group_gross - taxable)
        rows.append(VatSummaryRow(vat_rate=rate, natura=natura, taxable=money(taxable), vat=vat))
    taxable_total = money(sum((r.taxable for r in rows if r.vat_rate is not None), Decimal(0)))
    non_taxable = money(sum((r.taxable for r in rows if r.vat_rate is None), Decimal(0)))
    vat_total = money(sum((r.vat for r in rows), Decimal(0)))
    return Totals(
        taxable_total=taxable_total,
        vat_total=vat_total,
        non_taxable_total=non_taxable,
        total=money(taxable_total + non_taxable + vat_total),
        summary=tuple(rows),
    )


@dataclass(frozen=True)
class GrossItem:
    """A sale at a VAT-included price, before it becomes an invoice line."""

    description: str
    gross: Decimal
    vat_rate: Decimal
    booking_reference: str | None = None
    service_date: date | None = None
    service_end_date: date | None = None
    sales_model: str = ""


def vat_included_lines(items: list[GrossItem]) -> list[InvoiceLineSpec]:
    """Lines (quantity 1) whose taxable amounts are carved out of VAT-included prices so
    that, rate by rate, taxable + VAT equals the gross exactly (scorporo dell'IVA).

    The taxable amount of a rate is computed once on the summed gross and spread over its
    lines (the rounding remainder goes to the largest lines), which keeps the VAT within
    the SdI's one-cent tolerance whatever the number of lines."""
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_rate[money(item.vat_rate)].append(index)
    taxable: dict[int, Decimal] = {}
    for rate, indexes in by_rate.items():
        divisor = 1 + rate / 100
        group_taxable = money(sum((money(items[i].gross) for i in indexes), Decimal(0)) / divisor)
        shares = {i: money(money(items[i].gross) / divisor) for i in indexes}
        remainder = group_taxable - sum(shares.values(), Decimal(0))
        step = Decimal("0.01") if remainder > 0 else Decimal("-0.01")
        for i in sorted(indexes, key=lambda i: -items[i].gross):
            if remainder == 0:
                break
            shares[i] += step
            remainder -= step
        taxable.update(shares)
    return [
        InvoiceLineSpec(
            description=item.description,
            quantity=Decimal("1"),
            unit_price=taxable[index],
            vat_rate=money(item.vat_rate),
            booking_reference=item.booking_reference,
            kind="service",
            service_date=item.service_date,
            gross_amount=money(item.gross),
            service_end_date=item.service_end_date,
            sales_model=item.sales_model,
        )
        for index, item in enumerate(items)
    ]


def regime_for(lines: list[InvoiceLineSpec]) -> str:
    """RF11 for a document of margin-regime packages, RF01 otherwise. A document mixing the
    two is refused: RegimeFiscale is one per document, so the lines go on separate
    documents (see `split_by_regime`)."""
    has_margin = any(line.is_margin for line in lines)
    has_ordinary = any(line.kind == LineKind.SERVICE for line in lines)
    if has_margin and has_ordinary:
        raise ValidationError(
            {
                "lines": _(
                    "Packages under the margin regime and services with VAT cannot share one "
                    "document: issue them as separate invoices."
                )
            }
        )
    return RegimeFiscale.TRAVEL_AGENCY_MARGIN if has_margin else RegimeFiscale.ORDINARY


def split_by_regime(lines: list[InvoiceLineSpec]) -> dict[str, list[InvoiceLineSpec]]:
    """Margin-regime packages on one document, VAT services on another; tourist tax lines
    travel with the services (or with the packages when there are no services), and so do
    sums collected on an operator's behalf."""
    margin = [line for line in lines if line.kind == LineKind.PACKAGE_MARGIN]
    ordinary = [line for line in lines if line.kind == LineKind.SERVICE]
    tax = [line for line in lines if line.kind in ACCESSORY_KINDS]
    result: dict[str, list[InvoiceLineSpec]] = {}
    if ordinary or not margin:
        result[RegimeFiscale.ORDINARY] = ordinary + tax
        if margin:
            result[RegimeFiscale.TRAVEL_AGENCY_MARGIN] = margin
    else:
        result[RegimeFiscale.TRAVEL_AGENCY_MARGIN] = margin + tax
    return result


@dataclass(frozen=True)
class StatementLineSpec:
    """A booking served by an operator in the month: gross sale, DMC commission, net due."""

    booking_reference: str
    service_date: date
    product: str
    gross: Decimal
    commission: Decimal
    net: Decimal
    kind: str = "service"
    sales_model: str = "resale"


@dataclass(frozen=True)
class PayoutSpec:
    """A payout made to the operator (e.g. a Stripe Connect transfer)."""

    paid_on: date
    reference: str
    amount: Decimal
