"""Input and output serializers of the packages API (reading only)."""

from rest_framework import serializers

from marketplace import bounds

from ..models import Component, Departure, Package


class ComponentSerializer(serializers.ModelSerializer):
    day = serializers.SerializerMethodField()
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    product_title = serializers.CharField(source="product.title", read_only=True)
    kind = serializers.CharField(source="product.kind", read_only=True)
    unit_type = serializers.CharField(
        source="unit_type.name", default=None, read_only=True, allow_null=True
    )
    alternative_product = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Component
        fields = [
            "id",
            "day",
            "product",
            "product_title",
            "kind",
            "unit_type",
            "nights",
            "slot_rule",
            "time",
            "quantity_rule",
            "quantity",
            "required",
            "alternative_product",
            "note",
        ]

    def get_day(self, obj) -> int:
        return obj.day_offset + 1


class PackageListSerializer(serializers.ModelSerializer):
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    comuni = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    bookable = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text="draft, published or unpublished")

    class Meta:
        model = Package
        fields = [
            "slug",
            "status",
            "title",
            "summary",
            "duration_days",
            "duration_nights",
            "min_pax",
            "max_pax",
            "valid_from",
            "valid_until",
            "departure_mode",
            "pricing_mode",
            "themes",
            "comuni",
            "languages",
            "bookable",
        ]

    def get_bookable(self, obj) -> bool:
        broken = getattr(obj, "has_broken_component", False)
        return obj.status == "published" and not broken and not obj.needs_attention


class PackageDetailSerializer(PackageListSerializer):
    components = ComponentSerializer(many=True, read_only=True)
    heritage_story = serializers.SerializerMethodField()
    precontract_url = serializers.SerializerMethodField()

    class Meta(PackageListSerializer.Meta):
        fields = PackageListSerializer.Meta.fields + [
            "story",
            "itinerary",
            "meals",
            "accessibility",
            "heritage_story",
            "guarantee_min_pax",
            "guarantee_cutoff_days",
            "deposit_percent",
            "balance_days_before",
            "components",
            "precontract_url",
        ]

    def get_heritage_story(self, obj) -> dict | None:
        story = obj.heritage_story
        if story is None:
            return None
        return {"kind": story.kind, "title": story.title, "text": story.text}

    def get_precontract_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("packages:precontract_pdf", kwargs={"slug": obj.slug})


class DepartureSerializer(serializers.ModelSerializer):
    available = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="scheduled, guaranteed or cancelled")

    class Meta:
        model = Departure
        fields = [
            "id",
            "date",
            "capacity",
            "booked_pax",
            "available",
            "min_pax",
            "cutoff_date",
            "status",
        ]


class PaxQuerySerializer(serializers.Serializer):
    adults = bounds.pax_count(default=2)
    seniors = bounds.pax_count(default=0)
    children_ages = serializers.CharField(
        required=False, allow_blank=True, help_text="Comma separated ages, e.g. 8,11"
    )
    infants = bounds.infants_count(default=0)
    extras = serializers.CharField(
        required=False, allow_blank=True, help_text="Comma separated component ids"
    )

    def validate_children_ages(self, value):
        return bounds.int_list(value, low=0, high=17, max_items=bounds.MAX_CHILDREN)

    def validate_extras(self, value):
        return bounds.int_list(value, low=1, high=bounds.MAX_ID, max_items=bounds.MAX_IDS)

    def pax(self):
        from operators.pricing import PaxMix

        data = self.validated_data
        return PaxMix.of(
            adults=data["adults"],
            seniors=data["seniors"],
            children_ages=data.get("children_ages") or [],
            infants=data["infants"],
        )


class QuoteQuerySerializer(PaxQuerySerializer):
    start_date = bounds.service_date()


class AvailabilityQuerySerializer(PaxQuerySerializer):
    month = serializers.RegexField(r"^20\d{2}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")


class AllocationSerializer(serializers.Serializer):
    component_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    product_slug = serializers.CharField()
    product_title = serializers.CharField()
    organisation = serializers.DictField()
    kind = serializers.CharField()
    date = serializers.DateField()
    required = serializers.BooleanField()
    is_alternative = serializers.BooleanField()
    slot_id = serializers.IntegerField(allow_null=True)
    starts_at = serializers.DateTimeField(allow_null=True)
    slot_choices = serializers.ListField(child=serializers.IntegerField())
    unit_type_id = serializers.IntegerField(allow_null=True)
    unit_type_name = serializers.CharField()
    check_in = serializers.DateField(allow_null=True)
    check_out = serializers.DateField(allow_null=True)
    units = serializers.IntegerField()
    quantity = serializers.IntegerField()
    seats = serializers.IntegerField()
    retail = serializers.DecimalField(max_digits=12, decimal_places=2)
    net = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, help_text="DMC callers only."
    )
    problem = serializers.CharField()


class PackageQuoteSerializer(serializers.Serializer):
    """The quote; nets, margin and operators are shown to DMC callers only."""

    package_id = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    pax = serializers.DictField()
    available = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    pricing_mode = serializers.CharField()
    retail_total = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What the caller pays: a trade partner's contract price.",
    )
    public_total = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="The public price of the same quote (beside a trade partner's price).",
    )
    per_person = serializers.DecimalField(max_digits=12, decimal_places=2)
    vat_regime = serializers.CharField()
    free_places = serializers.IntegerField()
    single_supplements = serializers.IntegerField()
    departure_id = serializers.IntegerField(allow_null=True)
    lines = AllocationSerializer(many=True)
    net_total = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    margin = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    margin_vat = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    operators = serializers.ListField(child=serializers.DictField(), required=False)


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    state = serializers.ChoiceField(
        choices=["available", "sold_out", "no_departures", "closed", "unavailable"]
    )
    per_person = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    problems = serializers.ListField(child=serializers.CharField())
