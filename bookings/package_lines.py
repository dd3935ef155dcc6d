"""Booking a package: the package's quote names the exact slots, nights and stock its
components take; the booking takes all of them or none, in the engine's one transaction, and
records the acceptance of the pre-contract information (Codice del Turismo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from operators.models import GoodsStock, NightInventory, Product, ProductKind
from operators.pricing import PaxMix

from .models import Allocation, BookingLine, LineKind, VatRegime
from .policies import tourist_tax_for_stay
from .services.errors import BookingError, SoldOut
from .services.inventory import _Need
from .services.planning import DEFAULT_CANCELLATION_TIERS, _tax_rules_for


@dataclass
class PackageLineRequest:
    package: object  # packages.models.Package
    start_date: date
    pax: PaxMix
    extras: list[int] = field(default_factory=list)
    rooms: dict | None = None
    terms_accepted: bool = False
    quote: object = None
    needs: list[_Need] = field(default_factory=list)
    _component_needs: list[list[_Need]] = field(default_factory=list)

    def plan(self, today: date, own: dict | None = None, buyer=None) -> PackageLineRequest:
        """Quote and check the request; `own` is what an amended booking already holds
        ({(kind, pk): quantity}, departures included): free for that booking. A trade partner
        `buyer`'s own allotment places are free for it too (the hold then draws them)."""
        from packages.quotes import package_quote

        if not self.terms_accepted:
            raise BookingError(
                {
                    "accept_package_terms": _(
                        "Read and accept the package's pre-contract information first."
                    )
                }
            )
        if self.start_date < today:
            raise BookingError(
                {"date": _("The date %(d)s is in the past.") % {"d": self.start_date}}
            )
        quote = package_quote(
            package=self.package,
            start_date=self.start_date,
            pax=self.pax,
            extras=self.extras,
            rooms=self.rooms,
            own=own,
            buyer=buyer,
        )
        if not quote.available:
            # A wrong request (dates, party size) is a 400 whatever the inventory; otherwise
            # what is missing is places (a component or the departure): sold out, 409.
            full = quote.sold_out_problems + [
                ln.problem for ln in quote.lines if ln.problem and ln.problem_code == "sold_out"
            ]
            wrong = [p for p in quote.problems if p not in full]
            if wrong:
                raise BookingError({"package": "; ".join(wrong)})
            missing = quote.sold_out_problems + [ln.problem for ln in quote.lines if ln.problem]
            raise SoldOut("; ".join(missing))
        self.quote = quote
        self._component_needs = [self._needs_of(line) for line in quote.lines]
        self.needs = [need for needs in self._component_needs for need in needs]
        return self

    @staticmethod
    def _needs_of(line) -> list[_Need]:
        if line.slot_id:
            return [_Need("slot", line.slot_id, line.seats or line.quantity)]
        if line.unit_type_id:
            nights = dict(
                NightInventory.objects.filter(
                    unit_type_id=line.unit_type_id, date__gte=line.check_in, date__lt=line.check_out
                ).values_list("date", "pk")
            )
            needs = []
            day = line.check_in
            while day < line.check_out:
                if day not in nights:
                    raise SoldOut(_("Not available on the night of %(d)s.") % {"d": day})
                needs.append(_Need("night", nights[day], line.units))
                day += timedelta(days=1)
            return needs
        if line.kind == ProductKind.GOODS:
            stock = GoodsStock.objects.filter(product_id=line.product_id).first()
            if stock is None:
                raise SoldOut(_("“%(p)s” is out of stock.") % {"p": line.product_title})
            return [_Need("stock", stock.pk, line.quantity)]
        return []

    def create_lines(self, booking, position: int, deferred: list | None = None) -> BookingLine:
        """Insert the package's lines; its departure's places are taken now, or added to
        `deferred` as a need for the caller to take last with the other counters."""
        from packages.services import departure_take_pax
        from trade.pricing import partner_package_quote, split_amount

        package, public = self.package, self.quote
        # A trade partner pays its contract's package price; the components add up to it.
        quote = partner_package_quote(booking.buyer_organisation, public)
        public_shares = (
            split_amount(public.retail_total, [ln.retail for ln in public.lines])
            if quote.partner_terms
            else [ln.retail for ln in public.lines]
        )
        policy = package.cancellation_policy
        parent = BookingLine.objects.create(
            booking=booking,
            kind=LineKind.PACKAGE,
            title=str(package.title)[:300],
            package_slug=package.slug,
            package_departure_id=quote.departure_id,
            service_date=quote.start_date,
            end_date=quote.end_date,
            quantity=self.pax.seats,
            pax=self.pax.as_dict(),
            persons=self.pax.persons,
            retail_amount=quote.retail_total,
            net_amount=quote.net_total,
            commission_amount=quote.margin,
            public_amount=quote.public_total,
            partner_pricing=quote.partner_terms,
            vat_rate=0,
            vat_regime=VatRegime.MARGIN,
            price_breakdown=[line.as_dict() for line in quote.lines],
            cancellation_tiers=policy.as_tiers() if policy else DEFAULT_CANCELLATION_TIERS,
            position=position,
        )
        products = Product.objects.in_bulk([line.product_id for line in quote.lines])
        tax_total = 0
        for index, (line, needs, public_share) in enumerate(
            zip(quote.lines, self._component_needs, public_shares, strict=True)
        ):
            values = self._component_values(line, needs, products[line.product_id])
            tax_total += values["tourist_tax"]
            child = BookingLine.objects.create(
                booking=booking,
                parent=parent,
                public_amount=public_share,
                cancellation_tiers=parent.cancellation_tiers,
                position=position * 100 + index,
                **values,
            )
            Allocation.objects.bulk_create(
                [
                    Allocation(line=child, quantity=n.quantity, **{f"{n.kind}_id": n.pk})
                    for n in needs
                ]
            )
        if tax_total:
            parent.tourist_tax = tax_total
            parent.save(update_fields=["tourist_tax"])
        if quote.departure_id and deferred is not None:
            deferred.append(_Need("departure", quote.departure_id, self.pax.seats))
        elif quote.departure_id:
            from packages.models import Departure

            departure_take_pax(
                departure=Departure.objects.get(pk=quote.departure_id), pax=self.pax.seats
            )
        booking.package_terms_accepted_at = timezone.now()
        booking.save(update_fields=["package_terms_accepted_at"])
        return parent

    def _component_values(self, line, needs: list[_Need], product) -> dict:
        """The fields of a component line from its quote line and the inventory it takes."""
        tax = 0
        if line.kind == ProductKind.ACCOMMODATION:
            tax = tourist_tax_for_stay(
                rules=_tax_rules_for(product.comune_id),
                category=product.accommodation_category,
                check_in=line.check_in,
                check_out=line.check_out,
                adult_guests=self.pax.adults + self.pax.seniors,
                children_ages=list(self.pax.children_ages),
            )
        return {
            "kind": line.kind,
            "product": product,
            "supplier_id": line.organisation_id,
            "slot_id": line.slot_id,
            "unit_type_id": line.unit_type_id,
            "title": f"{line.product_title}"[:300]
            + (f" · {line.unit_type_name}" if line.unit_type_name else ""),
            "service_date": line.date,
            "end_date": line.check_out,
            "start_time": timezone.localtime(line.starts_at).time() if line.starts_at else None,
            "quantity": _taken(needs) or max(line.quantity, 1),
            "pax": self.pax.as_dict(),
            "persons": self.pax.persons,
            "retail_amount": line.retail,
            "net_amount": line.net,
            "commission_amount": line.retail - line.net,
            "vat_rate": 0,
            "vat_regime": VatRegime.MARGIN,
            "tourist_tax": tax,
        }

    def priced_for(self, line: BookingLine):
        """The quote as the booking's buyer pays it: a trade partner its contract's price,
        with the contract version the line was booked with (packages.quotes otherwise)."""
        from trade.pricing import partner_package_quote

        version = (line.partner_pricing or {}).get("version")
        return partner_package_quote(
            line.booking.buyer_organisation, self.quote, contract_version=version
        )

    def update_lines(self, parent: BookingLine, *, state: str) -> None:
        """An amendment: the package line and its components take the new quote in place
        (the same rows, so payables and invoices follow them), with new allocations in
        `state`. The old allocations must have been released by the caller."""
        from trade.pricing import split_amount

        public = self.quote
        quote = self.priced_for(parent)
        public_shares = (
            split_amount(public.retail_total, [ln.retail for ln in public.lines])
            if quote.partner_terms
            else [ln.retail for ln in public.lines]
        )
        parent.public_amount = quote.public_total
        if quote.partner_terms:
            parent.partner_pricing = quote.partner_terms
        parent.service_date = quote.start_date
        parent.end_date = quote.end_date
        parent.package_departure_id = quote.departure_id
        parent.quantity = self.pax.seats
        parent.pax = self.pax.as_dict()
        parent.persons = self.pax.persons
        parent.retail_amount = quote.retail_total
        parent.net_amount = quote.net_total
        parent.commission_amount = quote.margin
        parent.price_breakdown = [line.as_dict() for line in quote.lines]
        children = list(parent.components.order_by("position", "pk"))
        if len(children) != len(quote.lines):
            raise BookingError({"package": _("The package's components changed: book it anew.")})
        products = Product.objects.in_bulk([line.product_id for line in quote.lines])
        tax_total = 0
        new_allocations = []
        for child, line, needs, public_share in zip(
            children, quote.lines, self._component_needs, public_shares, strict=True
        ):
            values = self._component_values(line, needs, products[line.product_id])
            tax_total += values["tourist_tax"]
            for name, value in values.items():
                setattr(child, name, value)
            child.public_amount = public_share
            child.save()
            new_allocations += [
                Allocation(line=child, quantity=n.quantity, state=state, **{f"{n.kind}_id": n.pk})
                for n in needs
            ]
        Allocation.objects.bulk_create(new_allocations)
        parent.tourist_tax = tax_total
        parent.save()


def _taken(needs: list[_Need]) -> int:
    """What a component takes from inventory: seats of its slot, rooms a night, items."""
    per_row: dict[tuple[str, int], int] = {}
    for need in needs:
        per_row[(need.kind, need.pk)] = per_row.get((need.kind, need.pk), 0) + need.quantity
    return max(per_row.values(), default=0)


def package_line_requests(items: list[dict], *, accepted: bool) -> list[PackageLineRequest]:
    """API input -> requests (published packages only)."""
    from packages.models import Package, PackageStatus

    requests = []
    for item in items:
        package = Package.objects.filter(
            slug=item["package"], status=PackageStatus.PUBLISHED
        ).first()
        if package is None:
            raise BookingError(
                {"package": _("No package “%(s)s” on sale.") % {"s": item["package"]}}
            )
        requests.append(
            PackageLineRequest(
                package=package,
                start_date=item["date"],
                terms_accepted=accepted,
                extras=item.get("extras") or [],
                pax=PaxMix.of(
                    adults=item.get("adults", 0),
                    seniors=item.get("seniors", 0),
                    children_ages=item.get("children_ages", []),
                    infants=item.get("infants", 0),
                ),
            )
        )
    return requests
