from rest_framework import serializers

from ..models import Invoice, InvoiceLine


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "kind",
            "description",
            "quantity",
            "unit_price",
            "vat_rate",
            "natura",
            "amount",
            "booking_reference",
            "service_date",
        ]


class InvoiceSerializer(serializers.ModelSerializer):
    credits_invoice = serializers.CharField(
        source="original.number", read_only=True, allow_null=True, default=None
    )
    lines = InvoiceLineSerializer(many=True, read_only=True)
    paid = serializers.BooleanField(source="is_paid", read_only=True)
    has_xml = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "number",
            "document_type",
            "issue_date",
            "due_date",
            "regime_fiscale",
            "booking_reference",
            "credits_invoice",
            "reason",
            "customer_name",
            "taxable_total",
            "vat_total",
            "non_taxable_total",
            "total",
            "paid",
            "has_xml",
            "xml_filename",
            "lines",
        ]
