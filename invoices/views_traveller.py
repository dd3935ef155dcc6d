"""The traveller asks for an invoice in their name from their account (thin: the form
checks the shape, `traveller.invoice_request_save` the fiscal rules)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from bookings.selectors import bookings_for_traveller

from .models import InvoiceRequest
from .traveller import REQUEST_FIELDS, invoice_request_save


class InvoiceRequestForm(forms.ModelForm):
    """Also usable at checkout: the same fields and the same service."""

    class Meta:
        model = InvoiceRequest
        fields = list(REQUEST_FIELDS)
        help_texts = {
            "codice_fiscale": gettext_lazy("Required for residents of Italy."),
            "country": gettext_lazy("Two-letter code of your country, e.g. IT, DE, US."),
        }


class TravellerInvoiceRequestView(LoginRequiredMixin, View):
    template_name = "invoices/traveller/request.html"

    def booking(self):
        return get_object_or_404(
            # the account's bookings, with those made as a guest with a verified email
            bookings_for_traveller(self.request.user).filter(buyer_organisation=None),
            reference=str(self.kwargs["reference"]).upper(),
        )

    def get(self, request, reference):
        booking = self.booking()
        instance = InvoiceRequest.objects.filter(booking=booking).first()
        form = InvoiceRequestForm(instance=instance, initial={"country": "IT"})
        return render(request, self.template_name, {"booking": booking, "form": form})

    def post(self, request, reference):
        booking = self.booking()
        form = InvoiceRequestForm(request.POST)
        if form.is_valid():
            try:
                invoice_request_save(booking=booking, data=form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your invoice details are saved."))
                return redirect(reverse("bookings:account_detail", args=[booking.reference]))
        return render(request, self.template_name, {"booking": booking, "form": form}, status=400)
