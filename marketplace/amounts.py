"""Money as people read it: grouped and with the decimal mark of the active language
(12.345,60 in it/de, 12,345.60 in en, 12 345,60 in fr). Templates use the same through
`floatformat:"2g"`. Machine output (CSV, FatturaPA XML, API fields) keeps plain decimals."""

from decimal import Decimal

from django.utils.formats import number_format


def amount_text(value: Decimal | int | str | None, decimal_places: int = 2) -> str:
    """A euro amount for a sentence, a page or an email, in the active language."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(value), decimal_places, use_l10n=True, force_grouping=True)
