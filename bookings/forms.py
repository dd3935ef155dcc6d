from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationKind
from operators.models import Product, Slot, SlotStatus, UnitType
from places.models import Comune

from .models import BookingStatus, CancelReason, Channel, Participant
from .rooming import EDITABLE_FIELDS
from .selectors import BookingFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BackofficeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Reference, name, email"))
    date_from = forms.DateField(label=_("Service from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Service to"), required=False, widget=DATE_INPUT)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + BookingStatus.choices
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + Channel.choices
    )
    operator = forms.ModelChoiceField(
        label=_("Operator"),
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.OPERATOR).order_by("name"),
    )
    partner = forms.ModelChoiceField(
        label=_("Trade partner"),
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.TRADE).order_by("name"),
    )
    comune = forms.ModelChoiceField(
        label=_("Comune"),
        required=False,
        queryset=Comune.objects.filter(in_destination=True).order_by("name"),
    )

    def filters(self) -> BookingFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return BookingFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            status=data.get("status") or "",
            channel=data.get("channel") or "",
            supplier_id=data["operator"].pk if data.get("operator") else None,
            buyer_organisation_id=data["partner"].pk if data.get("partner") else None,
            comune_id=data["comune"].pk if data.get("comune") else None,
            query=data.get("q") or "",
            sort=str(self.data.get("sort") or "")[:30] if self.is_bound else "",
        )


class ExtendOptionForm(forms.Form):
    until = forms.DateTimeField(
        label=_("New expiry"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=200)


class CancelForm(forms.Form):
    """Cancel the whole booking or the chosen lines."""

    lines = forms.TypedMultipleChoiceField(
        label=_("Lines to cancel"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the whole booking."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=())
    waive_penalty = forms.BooleanField(label=_("Waive the penalty"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, booking, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (ln.pk, f"{ln.title} · {ln.service_date:%d/%m/%Y}")
            for ln in booking.lines.filter(parent__isnull=True, status="active").order_by(
                "position", "pk"
            )
        ]
        if staff:
            self.fields["reason"].choices = [
                c for c in CancelReason.choices if c[0] != CancelReason.EXPIRED
            ]
            self.fields["reason"].initial = CancelReason.DMC
        else:
            self.fields["reason"].choices = [(CancelReason.BUYER, CancelReason.BUYER.label)]
            self.fields["reason"].widget = forms.HiddenInput()
            self.fields["reason"].initial = CancelReason.BUYER
            del self.fields["waive_penalty"]

    def line_ids(self) -> list[int] | None:
        return self.cleaned_data.get("lines") or None


class AmendForm(forms.Form):
    """A new slot (experiences), check-in date (stays) and/or pax mix for one line."""

    slot = forms.ModelChoiceField(label=_("Time slot"), required=False, queryset=Slot.objects)
    day = forms.DateField(label=_("New date (check-in)"), required=False, widget=DATE_INPUT)
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=500)
    seniors = forms.IntegerField(label=_("Seniors"), min_value=0, max_value=500, initial=0)
    children_ages = forms.CharField(
        label=_("Children's ages"), required=False, help_text=_("Comma-separated, e.g. 6, 9")
    )
    infants = forms.IntegerField(label=_("Infants"), min_value=0, max_value=100, initial=0)
    check_out = forms.DateField(label=_("Check-out"), required=False, widget=DATE_INPUT)
    unit_type = forms.ModelChoiceField(
        label=_("Room type"), required=False, queryset=UnitType.objects.none()
    )
    units = forms.IntegerField(label=_("Rooms / units"), min_value=1, max_value=500, required=False)
    quantity = forms.IntegerField(label=_("Items"), min_value=1, max_value=10000, required=False)

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        if line.kind == "accommodation":
            self.fields["unit_type"].queryset = UnitType.objects.filter(
                product_id=line.product_id
            ).order_by("name")
            self.fields["unit_type"].empty_label = None
            self.fields["unit_type"].label_from_instance = lambda u: u.name
            del self.fields["quantity"]
        else:
            for name in ("check_out", "unit_type", "units"):
                del self.fields[name]
            if line.kind != "goods":
                del self.fields["quantity"]
        if line.kind == "goods":
            for name in ("adults", "seniors", "children_ages", "infants"):
                self.fields[name].required = False
        if not self.is_bound:
            self.initial.update(
                check_out=line.end_date,
                unit_type=line.unit_type_id,
                units=line.quantity,
                quantity=line.quantity,
            )
        if line.slot_id:
            self.fields["slot"].queryset = Slot.objects.filter(
                product_id=line.product_id,
                status=SlotStatus.OPEN,
                date__gte=timezone.localdate(),
                date__lte=timezone.localdate() + timedelta(days=366),
            ).order_by("starts_at")
            self.fields["slot"].label_from_instance = lambda s: (
                f"{timezone.localtime(s.starts_at):%d/%m/%Y %H:%M} ({s.available})"
            )
            del self.fields["day"]
        else:
            del self.fields["slot"]
        if not self.is_bound:
            pax = line.pax or {}
            self.initial.update(
                adults=pax.get("adults", 0),
                seniors=pax.get("seniors", 0),
                children_ages=", ".join(str(a) for a in pax.get("children_ages", [])),
                infants=pax.get("infants", 0),
                slot=line.slot_id,
                day=line.service_date,
            )

    def clean_children_ages(self):
        raw = self.cleaned_data.get("children_ages") or ""
        try:
            ages = [int(a) for a in raw.replace(";", ",").split(",") if a.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Write the ages as numbers, e.g. 6, 9.")) from exc
        if any(a < 0 or a > 17 for a in ages):
            raise forms.ValidationError(_("Every child needs an age from 0 to 17."))
        return ages

    def changes(self) -> dict:
        from operators.pricing import PaxMix

        data = self.cleaned_data
        if self.line.kind == "goods":
            changes = {"quantity": data.get("quantity") or self.line.quantity}
        else:
            changes = {
                "pax": PaxMix.of(
                    adults=data["adults"] or 0,
                    seniors=data.get("seniors") or 0,
                    children_ages=data["children_ages"],
                    infants=data.get("infants") or 0,
                )
            }
        if data.get("slot"):
            changes["slot"] = data["slot"]
            changes["day"] = data["slot"].date
        elif data.get("day"):
            changes["day"] = data["day"]
        if self.line.kind == "accommodation":
            day = data.get("day") or self.line.service_date
            check_out = data.get("check_out")
            if check_out and check_out <= day:
                raise forms.ValidationError(_("The check-out must be after the check-in."))
            if check_out and check_out != self.line.end_date:
                changes["check_out"] = check_out
            elif day != self.line.service_date and self.line.end_date:
                changes["check_out"] = day + (self.line.end_date - self.line.service_date)
            if data.get("unit_type"):
                changes["unit_type"] = data["unit_type"]
            if data.get("units"):
                changes["units"] = data["units"]
        return changes


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = list(EDITABLE_FIELDS)  # what the rooming service lets people edit
        widgets = {"birth_date": DATE_INPUT}
        labels = {"unit_type": _("Room type")}
        help_texts = {"nationality": _("ISO code, e.g. IT, DE, GB")}

    def __init__(self, *args, unit_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        from operators.models import UnitType

        self.fields["unit_type"].queryset = UnitType.objects.filter(
            pk__in=[u.pk for u in unit_types]
        )
        if not unit_types:
            del self.fields["unit_type"]
            del self.fields["room"]


class RoomingUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Rooming or name list (CSV)"),
        help_text=_(
            "Columns: first_name, last_name, nationality, birth_date, document_type, "
            "document_number, dietary_needs, accessibility_needs, room, room_type, leader. "
            "The upload replaces the whole list."
        ),
    )


class RedeemForm(forms.Form):
    raw = forms.CharField(
        label=_("Booking reference or voucher code"),
        max_length=500,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    method = forms.ChoiceField(
        choices=[("code", "code"), ("scan", "scan")], initial="code", widget=forms.HiddenInput
    )


class OperatorLinesFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    product = forms.ModelChoiceField(label=_("Product"), required=False, queryset=Product.objects)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + BookingStatus.choices
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            organisation=organisation
        ).order_by("title")


class FindBookingForm(forms.Form):
    reference = forms.CharField(label=_("Booking reference"), max_length=12)
    email = forms.EmailField(label=_("Email used for the booking"))

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


def _pax_from(data):
    from operators.pricing import PaxMix

    return PaxMix.of(
        adults=data.get("adults") or 0,
        seniors=data.get("seniors") or 0,
        children_ages=data.get("children_ages") or [],
        infants=data.get("infants") or 0,
    )


class _PaxFields(forms.Form):
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=500, initial=2)
    seniors = forms.IntegerField(label=_("Seniors"), min_value=0, max_value=500, initial=0)
    children_ages = forms.CharField(
        label=_("Children's ages"), required=False, help_text=_("Comma-separated, e.g. 6, 9")
    )
    infants = forms.IntegerField(label=_("Infants"), min_value=0, max_value=100, initial=0)

    clean_children_ages = AmendForm.clean_children_ages


class PackageAmendForm(_PaxFields):
    """A package line's start date (its departure), party and rooms per stay component."""

    day = forms.DateField(label=_("Start date"), widget=DATE_INPUT)

    field_order = ["day", "adults", "seniors", "children_ages", "infants"]

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.stays = [c for c in line.price_breakdown if c.get("unit_type_id")]
        for component in self.stays:
            self.fields[f"rooms_{component['component_id']}"] = forms.IntegerField(
                label=_("Rooms: %(product)s · %(room)s")
                % {"product": component["product_title"], "room": component["unit_type_name"]},
                min_value=1,
                max_value=500,
                required=False,
                help_text=_("Empty: as many as the party needs."),
            )
        if not self.is_bound:
            pax = line.pax or {}
            self.initial.update(
                day=line.service_date,
                adults=pax.get("adults", 0),
                seniors=pax.get("seniors", 0),
                children_ages=", ".join(str(a) for a in pax.get("children_ages", [])),
                infants=pax.get("infants", 0),
            )

    def changes(self) -> dict:
        data = self.cleaned_data
        rooms = {
            c["component_id"]: data[f"rooms_{c['component_id']}"]
            for c in self.stays
            if data.get(f"rooms_{c['component_id']}")
        }
        return {"start_date": data["day"], "pax": _pax_from(data), "rooms": rooms or None}


class RemoveLineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(c, label) for c, label in CancelReason.choices if c != CancelReason.EXPIRED],
        initial=CancelReason.BUYER,
    )
    waive_penalty = forms.BooleanField(label=_("Waive the penalty"), required=False)


class AddLineForm(_PaxFields):
    """A product or a package added to an existing booking, as the back office books it."""

    item = forms.ChoiceField(label=_("Product or package"))
    day = forms.DateField(label=_("Date (check-in, start)"), widget=DATE_INPUT)
    start_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Tours and services: the slot's start (empty: the first of the day)."),
    )
    check_out = forms.DateField(label=_("Check-out"), required=False, widget=DATE_INPUT)
    unit_type = forms.ModelChoiceField(
        label=_("Room type"), required=False, queryset=UnitType.objects.none()
    )
    units = forms.IntegerField(label=_("Rooms / units"), min_value=1, max_value=500, required=False)
    quantity = forms.IntegerField(label=_("Items"), min_value=1, max_value=10000, required=False)
    accept_package_terms = forms.BooleanField(
        label=_("The customer accepted the package's pre-contract information"), required=False
    )

    field_order = ["item", "day", "start_time", "check_out", "unit_type", "units", "quantity"]

    def __init__(self, *args, **kwargs):
        from packages.models import Package, PackageStatus

        super().__init__(*args, **kwargs)
        products = Product.objects.filter(status="published").order_by("title")
        packages = Package.objects.filter(status=PackageStatus.PUBLISHED).order_by("title")
        self.fields["item"].choices = [
            ("", "---------"),
            (_("Products"), [(f"product:{p.pk}", str(p)) for p in products]),
            (_("Packages"), [(f"package:{p.pk}", str(p)) for p in packages]),
        ]
        self.fields["unit_type"].queryset = (
            UnitType.objects.filter(product__status="published")
            .select_related("product")
            .order_by("product__title", "name")
        )
        self.fields["unit_type"].label_from_instance = lambda u: f"{u.product} · {u.name}"

    def clean(self):
        data = super().clean()
        item = data.get("item") or ""
        kind, _sep, pk = item.partition(":")
        self.product = self.package = None
        if kind == "product":
            self.product = Product.objects.filter(pk=pk, status="published").first()
        elif kind == "package":
            from packages.models import Package, PackageStatus

            self.package = Package.objects.filter(pk=pk, status=PackageStatus.PUBLISHED).first()
        if self.product is None and self.package is None:
            self.add_error("item", _("Choose a product or a package on sale."))
        return data

    def requests(self) -> dict:
        """{"lines": [...]} or {"package_lines": [...]} for booking_add_lines."""
        from .package_lines import PackageLineRequest
        from .services import LineRequest

        data = self.cleaned_data
        pax = _pax_from(data)
        day = data["day"]
        if self.package is not None:
            if not data.get("accept_package_terms"):
                raise forms.ValidationError(
                    _("Record the customer's acceptance of the pre-contract information first.")
                )
            return {
                "package_lines": [
                    PackageLineRequest(
                        package=self.package, start_date=day, pax=pax, terms_accepted=True
                    )
                ]
            }
        product = self.product
        request = LineRequest(product=product, day=day, pax=pax)
        if product.kind == "accommodation":
            unit_type = data.get("unit_type")
            if unit_type is None or unit_type.product_id != product.pk:
                raise forms.ValidationError(_("Choose a room type of this property."))
            request.unit_type = unit_type
            request.check_out = data.get("check_out") or day + timedelta(days=1)
            request.units = data.get("units") or 1
        elif product.kind == "goods":
            request.quantity = data.get("quantity") or 1
        else:
            slots = Slot.objects.filter(product=product, date=day, status=SlotStatus.OPEN)
            if data.get("start_time"):
                slots = slots.filter(start_time=data["start_time"])
            request.slot = slots.order_by("starts_at").first()
            if request.slot is None:
                raise forms.ValidationError(_("No open time slot of this product then."))
            request.units = data.get("units") or 1
        return {"lines": [request]}
