"""Input and output serializers of the operators API (kept apart, as everywhere)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace import bounds
from places.models import Comune

from ..models import (
    Language,
    PaxCategory,
    Product,
    ProductKind,
    Rate,
    RateChange,
    Season,
    Slot,
    SlotStatus,
    Theme,
    UnitType,
)
from ..pricing import PaxMix
from ..selectors import MAX_SEARCH_DAYS, SearchCriteria

# --- Output ---------------------------------------------------------------------------------


class ProductListSerializer(serializers.ModelSerializer):
    comune = serializers.SlugRelatedField(slug_field="istat_code", read_only=True)
    comune_name = serializers.CharField(source="comune.name", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    from_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="The lowest base price the caller pays: a trade partner's contract price.",
    )
    public_from_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        source="from_price",
        help_text="The lowest base price on public sale.",
    )

    class Meta:
        model = Product
        fields = [
            "slug",
            "kind",
            "status",
            "title",
            "title_it",
            "title_en",
            "summary",
            "comune",
            "comune_name",
            "organisation",
            "from_price",
            "public_from_price",
            "pricing_unit",
            "vat_rate",
        ]

    def to_representation(self, product):
        data = super().to_representation(product)
        partner_prices = self.context.get("partner_from_prices") or {}
        if product.pk in partner_prices:  # what the trade partner pays, the public price beside
            data["from_price"] = self.fields["from_price"].to_representation(
                partner_prices[product.pk]
            )
        return data


class UnitTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitType
        fields = [
            "id",
            "name",
            "name_it",
            "name_en",
            "standard_occupancy",
            "max_occupancy",
            "max_children",
            "units",
            "min_stay",
        ]


class ProductDetailSerializer(ProductListSerializer):
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    unit_types = UnitTypeSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()
    cancellation_policy = serializers.SerializerMethodField()

    class Meta(ProductListSerializer.Meta):
        fields = ProductListSerializer.Meta.fields + [
            "description",
            "description_it",
            "description_en",
            "inclusions",
            "exclusions",
            "meeting_point",
            "accessibility_notes",
            "address",
            "latitude",
            "longitude",
            "themes",
            "languages",
            "duration_minutes",
            "min_pax",
            "max_pax",
            "free_place_every",
            "accommodation_category",
            "check_in_time",
            "check_out_time",
            "fulfilment",
            "available_from",
            "available_until",
            "unit_types",
            "photos",
            "cancellation_policy",
            "rejection_reason",
        ]

    def get_photos(self, product) -> list[dict]:
        request = self.context.get("request")

        def url(field):
            if not field:
                return None
            return request.build_absolute_uri(field.url) if request else field.url

        return [
            {"image": url(p.image), "thumbnail": url(p.thumbnail), "alt_text": p.alt_text}
            for p in product.photos.all()
        ]

    def get_cancellation_policy(self, product) -> dict | None:
        policy = product.cancellation_policy
        if policy is None:
            return None
        return {"name": policy.name, "description": policy.description, "tiers": policy.as_tiers()}


class RateSerializer(serializers.ModelSerializer):
    season = serializers.SerializerMethodField()
    unit_type = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    net_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, help_text="The operator and the DMC only."
    )
    public_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        source="retail_price",
        help_text="The public price; `retail_price` is what the caller pays (a trade "
        "partner's contract price).",
    )

    class Meta:
        model = Rate
        fields = [
            "id",
            "pax_category",
            "age_min",
            "age_max",
            "weekdays",
            "min_group",
            "max_group",
            "season",
            "unit_type",
            "retail_price",
            "public_price",
            "net_price",
        ]

    def get_season(self, rate) -> dict | None:
        if rate.season is None:
            return None
        return {
            "name": rate.season.name,
            "start_date": rate.season.start_date,
            "end_date": rate.season.end_date,
        }

    def to_representation(self, rate):
        data = super().to_representation(rate)
        if not self.context.get("show_net"):
            data.pop("net_price")  # the operator's net is for the operator and the DMC
        partner_prices = self.context.get("partner_prices") or {}
        if rate.pk in partner_prices:  # what the trade partner pays, the public price beside
            data["retail_price"] = self.fields["retail_price"].to_representation(
                partner_prices[rate.pk]
            )
        return data


class SlotSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = Slot
        fields = [
            "id",
            "product",
            "date",
            "start_time",
            "starts_at",
            "ends_at",
            "capacity",
            "sold",
            "held",
            "available",
            "status",
            "note",
        ]


class QuoteSerializer(serializers.Serializer):
    retail_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    net_total = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, help_text="DMC and the operator only."
    )
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    free_places = serializers.IntegerField()
    lines = serializers.ListField(child=serializers.DictField())

    def to_representation(self, quote):
        data = quote.as_dict()
        data.pop("commission", None)
        if not self.context.get("show_net"):
            data.pop("net_total", None)
            for line in data["lines"]:
                line.pop("unit_net", None)
                line.pop("net", None)
        return data


class SlotOptionSerializer(serializers.Serializer):
    slot = serializers.IntegerField(source="slot.pk")
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    ends_at = serializers.DateTimeField(source="slot.ends_at")
    available = serializers.IntegerField()
    units = serializers.IntegerField()
    price = QuoteSerializer(source="quote")

    def to_representation(self, option):
        # A page holds a couple of hundred slots: the same fields as declared (the schema),
        # written out directly instead of field by field through the generic machinery.
        fields = self.fields
        return {
            "slot": option.slot.pk,
            "starts_at": fields["starts_at"].to_representation(option.slot.starts_at),
            "ends_at": fields["ends_at"].to_representation(option.slot.ends_at),
            "available": option.available,
            "units": option.units,
            "price": fields["price"].to_representation(option.quote),
        }


class StayOptionSerializer(serializers.Serializer):
    unit_type = serializers.IntegerField(source="unit_type.pk")
    unit_type_name = serializers.CharField(source="unit_type.name")
    units = serializers.IntegerField()
    available = serializers.IntegerField()
    price = QuoteSerializer(source="quote")


class AvailabilityResultSerializer(serializers.Serializer):
    product = ProductListSerializer()
    best_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    slots = SlotOptionSerializer(many=True)
    stays = StayOptionSerializer(many=True)
    stock_available = serializers.IntegerField(allow_null=True)
    goods_price = QuoteSerializer(source="goods_quote", allow_null=True)


# --- Input ----------------------------------------------------------------------------------


class AvailabilityQuerySerializer(serializers.Serializer):
    """Query of the availability search. For accommodation `start` is the check-in and `end`
    the check-out; for slots both days are included."""

    start = bounds.service_date()
    end = bounds.service_date(required=False)
    adults = bounds.pax_count(default=2)
    seniors = bounds.pax_count(default=0)
    infants = bounds.infants_count(default=0)
    children_ages = serializers.CharField(required=False, allow_blank=True, default="")
    comune = serializers.SlugRelatedField(
        slug_field="istat_code", queryset=Comune.objects.all(), required=False
    )
    kind = serializers.ChoiceField(choices=ProductKind.choices, required=False)
    theme = serializers.SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), required=False
    )
    language = serializers.SlugRelatedField(
        slug_field="code", queryset=Language.objects.all(), required=False
    )
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    max_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")

    def validate_children_ages(self, value):
        if not value.strip():
            return []
        return bounds.int_list(value, low=0, high=17, max_items=bounds.MAX_CHILDREN)

    def validate(self, data):
        start, end = data["start"], data.get("end") or data["start"]
        if end < start:
            raise serializers.ValidationError({"end": _("The end is before the start.")})
        if (end - start).days > MAX_SEARCH_DAYS:
            raise serializers.ValidationError(
                {"end": _("Search at most %(n)s days at a time.") % {"n": MAX_SEARCH_DAYS}}
            )
        if data["adults"] + data["seniors"] < 1:
            raise serializers.ValidationError({"adults": _("At least one adult travels.")})
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and high < low:
            raise serializers.ValidationError(
                {"max_price": _("The maximum price is below the minimum.")}
            )
        data["end"] = end
        return data

    def criteria(self) -> SearchCriteria:
        d = self.validated_data
        return SearchCriteria(
            start=d["start"],
            end=d["end"],
            pax=PaxMix.of(
                adults=d["adults"],
                seniors=d["seniors"],
                children_ages=d["children_ages"],
                infants=d["infants"],
            ),
            comune=d["comune"].istat_code if d.get("comune") else None,
            kind=d.get("kind"),
            theme=d["theme"].slug if d.get("theme") else None,
            language=d["language"].code if d.get("language") else None,
            min_price=d.get("min_price"),
            max_price=d.get("max_price"),
            q=d.get("q", ""),
        )


class RateInputSerializer(serializers.Serializer):
    """A new rate; leave `net_price` out to have it computed from the contract commission."""

    pax_category = serializers.ChoiceField(choices=PaxCategory.choices)
    retail_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    net_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    age_min = bounds.age(required=False, allow_null=True)
    age_max = bounds.age(required=False, allow_null=True)
    weekdays = serializers.CharField(required=False, max_length=7)
    min_group = bounds.pax_count(required=False, min_value=1)
    max_group = bounds.pax_count(required=False, allow_null=True, min_value=1)
    season = bounds.object_id(required=False, allow_null=True)
    unit_type = bounds.object_id(required=False, allow_null=True)


class RateChangeSerializer(serializers.ModelSerializer):
    """A price waiting for the DMC's approval (below the contract's commission)."""

    commission_percent = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)

    class Meta:
        model = RateChange
        fields = [
            "id",
            "rate",
            "status",
            "data",
            "retail_price",
            "net_price",
            "commission_percent",
            "contract_commission_percent",
            "created_at",
        ]
        read_only_fields = fields


class SeasonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    start_date = bounds.service_date()
    end_date = bounds.service_date()


class SeasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Season
        fields = ["id", "name", "start_date", "end_date"]


class SlotUpdateSerializer(serializers.Serializer):
    """Capacity must be a whole number; the service refuses going below what is booked."""

    capacity = bounds.capacity(required=False)
    status = serializers.ChoiceField(choices=SlotStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


# Content an operator may change through `PATCH /products/<slug>/`, in every content language.
CONTENT_LANGUAGES = ("it", "en", "de", "fr")
CONTENT_TEXT_FIELDS = {
    # field: its max_length (None for free text)
    "title": 200,
    "summary": 300,
    "description": None,
    "inclusions": None,
    "exclusions": None,
    "meeting_point": 300,
    "accessibility_notes": None,
}


class ProductContentInputSerializer(serializers.Serializer):
    """A partial change of a listing's content. Unknown fields are refused, not ignored, so
    that a typo or an attempt to set the status never passes silently."""

    themes = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Theme.objects.all(), required=False
    )
    languages = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Language.objects.all(), required=False
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, max_length in CONTENT_TEXT_FIELDS.items():
            for lang in CONTENT_LANGUAGES:
                required_text = name == "title" and lang in ("it", "en")
                fields[f"{name}_{lang}"] = serializers.CharField(
                    required=False,
                    allow_blank=not required_text,
                    max_length=max_length,
                    trim_whitespace=True,
                )
        return fields

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: _("This field cannot be changed here.") for name in unknown},
                code="unknown_field",
            )
        if not attrs:
            raise serializers.ValidationError(_("Send at least one field to change."))
        return attrs
