"""Receipts and credit notes for travellers: from the signed "manage my booking" link and
from the account (the account's bookings include guest bookings of a verified email).
Another booking's document, a draft or a trade partner's invoice is a 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from bookings.selectors import bookings_for_traveller
from bookings.views_manage import GuestLinkMixin

from .traveller_documents import traveller_documents, traveller_documents_email
from .views import pdf_response


class _DocumentsMixin:
    def document_pdf(self, booking, pk):
        document = traveller_documents(booking).filter(pk=pk).first()
        if document is None:
            raise Http404("No such document on this booking")
        return pdf_response(document)

    def email_documents(self, request, booking, back: str):
        sent = traveller_documents_email(booking=booking)
        if sent:
            messages.success(
                request,
                _("We sent %(n)s document(s) to %(email)s.")
                % {"n": sent, "email": booking.contact_email},
            )
        else:
            messages.info(request, _("This booking has no receipt yet."))
        return redirect(back)


class GuestDocumentPdfView(GuestLinkMixin, _DocumentsMixin, View):
    def get(self, request, token, pk):
        return self.document_pdf(self.get_booking(), pk)


class GuestDocumentsEmailView(GuestLinkMixin, _DocumentsMixin, View):
    def post(self, request, token):
        booking = self.get_booking()
        return self.email_documents(request, booking, self.detail_url(booking))


class AccountDocumentPdfView(LoginRequiredMixin, _DocumentsMixin, View):
    def get(self, request, reference, pk):
        booking = get_object_or_404(
            bookings_for_traveller(request.user), reference=str(reference).upper()
        )
        return self.document_pdf(booking, pk)


class AccountDocumentsEmailView(LoginRequiredMixin, _DocumentsMixin, View):
    def post(self, request, reference):
        booking = get_object_or_404(
            bookings_for_traveller(request.user), reference=str(reference).upper()
        )
        return self.email_documents(
            request, booking, reverse("bookings:account_detail", args=[booking.reference])
        )
