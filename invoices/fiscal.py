"""Checks of fiscal data (python-stdnum) that say exactly what is missing or wrong.

`customer_problems` is run when a document is issued; `organisation_invoicing_problems` is
the same check for a trade partner's profile (to run when the partner registers)."""

import re

from django.utils.translation import gettext as _
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

from accounts.models import Organisation, OrganisationKind

from .specs import EU_COUNTRIES, CustomerData

CAP_RE = re.compile(r"^\d{5}$")
SDI_CODE_RE = re.compile(r"^[A-Z0-9]{7}$")


def _valid_partita_iva(value: str) -> bool:
    try:
        iva.validate(value)
    except StdnumError:
        return False
    return True


def _valid_codice_fiscale(value: str) -> bool:
    try:
        codicefiscale.validate(value)
    except StdnumError:
        return _valid_partita_iva(value)
    return True


def _valid_personal_code(value: str) -> bool:
    """A person's codice fiscale (16 characters, check character included)."""
    try:
        codicefiscale.validate(value)
    except StdnumError:
        return False
    return True


def traveller_invoice_problems(customer: CustomerData) -> dict[str, str]:
    """What a traveller's e-invoice needs: name and surname, address and city; an Italian
    resident also a valid codice fiscale and a 5-digit CAP."""
    problems: dict[str, str] = {}
    if not customer.first_name.strip() or not customer.last_name.strip():
        problems["name"] = _("Give the first name and the last name.")
    if not customer.city.strip():
        problems["city"] = _("The city is missing.")
    if customer.is_italian:
        if not customer.codice_fiscale:
            problems["codice_fiscale"] = _("An Italian invoice needs your codice fiscale.")
        elif not _valid_personal_code(customer.codice_fiscale):
            problems["codice_fiscale"] = _("“%s” is not a valid codice fiscale.") % (
                customer.codice_fiscale
            )
        if not CAP_RE.match(customer.postcode or ""):
            problems["postcode"] = _("An Italian address needs a 5-digit postcode (CAP).")
    return problems


def foreign_vat_problem(country: str, number: str) -> str | None:
    """None when `number` is a valid VAT number of `country` (EU through stdnum.eu.vat)."""
    if not number:
        return _("The VAT number is missing.")
    compact = re.sub(r"[\s.-]", "", number).upper()
    if country in EU_COUNTRIES:
        try:
            eu_vat.validate(compact)
        except StdnumError:
            return _("“%s” is not a valid EU VAT number.") % number
        prefix = "EL" if country == "GR" else country
        if not compact.startswith(prefix):
            return _("The VAT number does not belong to the customer's country (%s).") % country
        return None
    module = get_cc_module(country.lower(), "vat")
    if module is not None:
        try:
            module.validate(compact)
        except StdnumError:
            return _("“%s” is not a valid VAT number.") % number
    return None


def vat_id_code(country: str, number: str) -> str:
    """The IdCodice of a foreign IdFiscaleIVA: the VAT number without its country prefix."""
    compact = re.sub(r"[\s.-]", "", number).upper()
    prefix = "EL" if country == "GR" else country
    return compact[len(prefix) :] if compact.startswith(prefix) else compact


def customer_problems(customer: CustomerData) -> dict[str, str]:
    """Field -> what is missing or wrong. Empty when the customer can be invoiced."""
    problems: dict[str, str] = {}
    if not (customer.name or "").strip():
        problems["name"] = _("The customer's name (or legal name) is missing.")
    if not customer.country or len(customer.country) != 2:
        problems["country"] = _("The customer's country (two-letter code) is missing.")
    if not customer.is_business:
        if customer.codice_fiscale and not _valid_personal_code(customer.codice_fiscale):
            problems["codice_fiscale"] = _("“%s” is not a valid codice fiscale.") % (
                customer.codice_fiscale
            )
        if customer.wants_e_invoice:
            problems.update(traveller_invoice_problems(customer))
        return problems
    if not customer.address.strip():
        problems["address"] = _("The customer's street address is missing.")
    if not customer.city.strip():
        problems["city"] = _("The customer's city is missing.")
    if customer.is_italian:
        if not customer.partita_iva:
            problems["partita_iva"] = _("The Partita IVA of an Italian business is missing.")
        elif not _valid_partita_iva(customer.partita_iva):
            problems["partita_iva"] = _("“%s” is not a valid Partita IVA.") % customer.partita_iva
        if customer.codice_fiscale and not _valid_codice_fiscale(customer.codice_fiscale):
            problems["codice_fiscale"] = _("“%s” is not a valid codice fiscale.") % (
                customer.codice_fiscale
            )
        if not CAP_RE.match(customer.postcode or ""):
            problems["postcode"] = _("An Italian address needs a 5-digit postcode (CAP).")
        if not customer.sdi_code and not customer.pec:
            problems["sdi_code"] = _(
                "An Italian business needs an SdI code (codice destinatario) or a PEC address "
                "to receive e-invoices."
            )
        elif customer.sdi_code and not SDI_CODE_RE.match(customer.sdi_code):
            problems["sdi_code"] = _("The SdI code must be 7 capital letters or digits.")
    elif customer.vat_number or customer.country in EU_COUNTRIES:
        # An EU business needs its VAT number (art. 7-ter B2B); a business outside the EU
        # without one can still be invoiced (IdCodice 99999999999).
        problem = foreign_vat_problem(customer.country, customer.vat_number)
        if problem:
            problems["vat_number"] = problem
    return problems


def organisation_invoicing_problems(organisation: Organisation) -> dict[str, str]:
    """The invoicing check of a trade partner or operator profile (registration, profile)."""
    return customer_problems(CustomerData.from_organisation(organisation))


def dmc_organisation() -> Organisation | None:
    return (
        Organisation.objects.filter(kind=OrganisationKind.DMC, is_active=True)
        .order_by("pk")
        .select_related("comune")
        .first()
    )


def _company_register_data() -> dict:
    """REA and share capital (art. 2250 c.c.) from the DMC's fiscal settings, where set."""
    from .rules import FiscalSettings

    settings = FiscalSettings.current()
    if not (settings.rea_office and settings.rea_number):
        return {}
    return {
        "rea_office": settings.rea_office.upper(),
        "rea_number": settings.rea_number,
        "share_capital": str(settings.share_capital) if settings.share_capital else "",
        "sole_shareholder": settings.sole_shareholder,
        "in_liquidation": settings.in_liquidation,
    }


def supplier_snapshot(dmc: Organisation | None) -> tuple[dict, dict[str, str]]:
    """The DMC's identity as printed and sent on a document, and what is missing in it."""
    problems: dict[str, str] = {}
    if dmc is None:
        return {}, {"supplier": _("There is no DMC organisation to issue documents from.")}
    snapshot = {
        "name": dmc.legal_name or dmc.name,
        "partita_iva": dmc.partita_iva,
        "codice_fiscale": dmc.codice_fiscale or dmc.partita_iva,
        "address": dmc.address,
        "postcode": dmc.postcode,
        "city": dmc.comune.name if dmc.comune_id else dmc.city,
        "province": dmc.comune.province if dmc.comune_id else "",
        "country": dmc.country or "IT",
        "iban": dmc.iban,
        "email": dmc.email,
        "phone": dmc.phone,
        "pec": dmc.pec,
        "website": dmc.website,
        **_company_register_data(),
    }
    if not snapshot["partita_iva"] or not _valid_partita_iva(snapshot["partita_iva"]):
        problems["supplier"] = _("The DMC's Partita IVA is missing or invalid.")
    elif not (snapshot["address"] and snapshot["city"]):
        problems["supplier"] = _("The DMC's address is incomplete.")
    elif not CAP_RE.match(snapshot["postcode"] or ""):
        problems["supplier"] = _("The DMC's postcode (CAP) is missing.")
    elif not snapshot["iban"]:
        problems["supplier"] = _("The DMC's IBAN is missing (needed for the payment terms).")
    return snapshot, problems
