"""Which fiscal treatment a booking line gets: the decision table (`rules.FiscalTreatment`)
read once per document and matched on the line's frozen sales model, the customer and the
product."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from operators.pricing import money

from .rules import CustomerArea, FiscalTreatment, treatments_ensure
from .specs import EU_COUNTRIES


def customer_area(country: str) -> str:
    country = (country or "IT").upper()
    if country == "IT":
        return CustomerArea.ITALY
    return CustomerArea.EU if country in EU_COUNTRIES else CustomerArea.NON_EU


class TreatmentTable:
    """The active decision table, loaded once."""

    def __init__(self):
        treatments_ensure()
        self.rows = list(FiscalTreatment.objects.all())

    def for_line(self, line, *, customer_kind: str, country: str) -> FiscalTreatment:
        """The most specific row for a booking line sold to this customer; a clear error
        when none applies or when the line's VAT rate is not the one the rule requires."""
        criteria = {
            "sales_model": line.sales_model,
            "customer_kind": customer_kind,
            "customer_area": customer_area(country),
            "product_kind": line.kind,
            "product_id": line.product_id,
        }
        candidates = [row for row in self.rows if row.matches(**criteria)]
        if not candidates:
            raise ValidationError(
                {
                    "treatment": _(
                        "No fiscal treatment is set for %(model)s sales of %(kind)s: add one in "
                        "the decision table."
                    )
                    % {"model": line.sales_model, "kind": line.kind}
                }
            )
        row = max(candidates, key=lambda r: r.specificity)
        required = row.required_vat_rate
        if required is not None and row.treatment == "vat":  # noqa: SIM102
            if money(line.vat_rate) != money(required):
                raise ValidationError(
                    {
                        "vat_rate": _(
                            "“%(title)s” is sold at %(rate)s%% VAT but %(required)s%% applies "
                            "(%(reference)s)."
                        )
                        % {
                            "title": line.title,
                            "rate": money(line.vat_rate),
                            "required": money(row.required_vat_rate),
                            "reference": row.legal_reference,
                        }
                    }
                )
        return row
