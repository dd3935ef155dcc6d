from django import template

from invoices.traveller_documents import traveller_documents

register = template.Library()


@register.simple_tag
def traveller_documents_of(booking):
    """The issued receipts and credit notes of a traveller's booking (see the selector)."""
    return list(traveller_documents(booking))
