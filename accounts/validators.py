"""Validators for Italian fiscal identity, backed by python-stdnum."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as std_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

SDI_CODE_RE = re.compile(r"^[A-Z0-9]{7}$")


def validate_partita_iva(value: str) -> None:
    try:
        iva.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid Partita IVA (11 digits with a check digit)."),
            code="invalid_partita_iva",
            params={"value": value},
        ) from exc


def validate_codice_fiscale(value: str) -> None:
    """A codice fiscale is either a person's 16-character code or a company's 11 digits."""
    try:
        codicefiscale.validate(value)
    except StdnumError:
        try:
            iva.validate(value)
        except StdnumError as exc:
            raise ValidationError(
                _("“%(value)s” is not a valid codice fiscale."),
                code="invalid_codice_fiscale",
                params={"value": value},
            ) from exc


def validate_iban(value: str) -> None:
    try:
        std_iban.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid IBAN."), code="invalid_iban", params={"value": value}
        ) from exc


def validate_sdi_code(value: str) -> None:
    """The SdI recipient code (codice destinatario) of an Italian business: 7 characters."""
    if not SDI_CODE_RE.match(value or ""):
        raise ValidationError(
            _("The SdI code must be 7 capital letters or digits (e.g. M5UXCR1)."),
            code="invalid_sdi_code",
        )


def compact_partita_iva(value: str) -> str:
    return iva.compact(value) if value else value


def compact_codice_fiscale(value: str) -> str:
    return codicefiscale.compact(value) if value else value


def compact_iban(value: str) -> str:
    return std_iban.compact(value) if value else value
