from rest_framework import serializers

from marketplace import bounds

from ..models import Quote, QuoteLine


class QuoteLineInput(serializers.Serializer):
    product = serializers.SlugField(required=False, help_text="Product slug (or `package`).")
    package = serializers.SlugField(required=False, help_text="Package slug (or `product`).")
    date = bounds.service_date(help_text="Service date, check-in for stays, start for packages.")
    slot = bounds.object_id(required=False, help_text="Slot id (experiences, services).")
    unit_type = bounds.object_id(required=False, help_text="Room / unit type id (stays).")
    check_out = bounds.service_date(required=False)
    units = bounds.units_count(default=1)
    quantity = bounds.quantity(default=1, help_text="Goods items.")
    adults = bounds.pax_count(default=0)
    seniors = bounds.pax_count(default=0)
    children_ages = bounds.children_ages(default=list)
    infants = bounds.infants_count(default=0)

    def validate(self, attrs):
        if bool(attrs.get("product")) == bool(attrs.get("package")):
            raise serializers.ValidationError(
                {"product": "Give either a product or a package."}, code="invalid"
            )
        return attrs


class QuoteInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    client_reference = serializers.CharField(max_length=60, required=False, default="")
    client_email = serializers.EmailField(required=False, default="")
    valid_until = bounds.service_date(required=False, help_text="Default: in 14 days.")
    language = serializers.ChoiceField(choices=["it", "en", "de", "fr"], default="en")
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    lines = QuoteLineInput(many=True, required=False, default=list, max_length=40)


class ConvertInput(serializers.Serializer):
    contact_name = serializers.CharField(max_length=200, required=False, default="")
    contact_email = serializers.EmailField(required=False, default="")
    accept_package_terms = serializers.BooleanField(
        default=False, help_text="Required when the quote holds a package."
    )


class QuoteLineOutput(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    package = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    date = serializers.DateField(source="day")

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "position",
            "kind",
            "product",
            "package",
            "date",
            "check_out",
            "slot",
            "unit_type",
            "units",
            "quantity",
            "pax",
            "title",
            "amount",
            "problem",
        ]


class QuoteOutput(serializers.ModelSerializer):
    lines = QuoteLineOutput(many=True, read_only=True)
    booking = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)

    class Meta:
        model = Quote
        fields = [
            "reference",
            "title",
            "client_reference",
            "client_email",
            "valid_until",
            "status",
            "language",
            "notes",
            "total",
            "sent_at",
            "created_at",
            "booking",
            "lines",
        ]


class QuoteListOutput(serializers.ModelSerializer):
    booking = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)

    class Meta:
        model = Quote
        fields = [
            "reference",
            "title",
            "client_reference",
            "valid_until",
            "status",
            "total",
            "created_at",
            "booking",
        ]


class OptionOutput(serializers.Serializer):
    """The option a quote became: a held booking (see /bookings/{reference}/)."""

    reference = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()
    total_retail = serializers.DecimalField(max_digits=12, decimal_places=2)
    quote = serializers.CharField()
