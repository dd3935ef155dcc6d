"""Emails to the DMC about its packages."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, OrganisationKind
from marketplace.text import render_text

from .models import Departure, DepartureStatus


def dmc_recipients() -> list[str]:
    dmc = Organisation.objects.filter(kind=OrganisationKind.DMC, is_active=True)
    emails = {e for e in dmc.values_list("email", flat=True) if e}
    if not emails:
        emails = set(
            Membership.objects.filter(organisation__in=dmc).values_list("user__email", flat=True)
        )
    return sorted(emails)


def departure_decision_send(*, departure_id: int) -> None:
    """Tell the DMC that a departure was guaranteed or cancelled at its cut-off."""
    departure = Departure.objects.select_related("package").get(pk=departure_id)
    recipients = dmc_recipients()
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "departure": departure,
            "cancelled": departure.status == DepartureStatus.CANCELLED,
            "url": settings.SITE_URL
            + reverse("packages:builder", kwargs={"pk": departure.package_id}),
        }
        subject = (
            _("Departure cancelled: %(package)s, %(date)s")
            if context["cancelled"]
            else _("Departure guaranteed: %(package)s, %(date)s")
        ) % {"package": departure.package.title, "date": departure.date.isoformat()}
        send_mail(
            subject,
            render_text("packages/email/departure_decision.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
