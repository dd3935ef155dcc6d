import copy

from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from marketplace import bounds

from ..models import Amendment, Booking, BookingEvent, BookingLine, Participant


class PaxInput(serializers.Serializer):
    adults = bounds.pax_count(default=0)
    seniors = bounds.pax_count(default=0)
    children_ages = bounds.children_ages(
        default=list,
        help_text="Age of every child; a child without an age is refused.",
    )
    infants = bounds.infants_count(default=0)


class LineInput(PaxInput):
    product = serializers.SlugField(help_text="Product slug.")
    date = bounds.service_date(help_text="Service date, or check-in for stays.")
    slot = bounds.object_id(required=False, help_text="Slot id (experiences, services).")
    unit_type = bounds.object_id(required=False, help_text="Unit type id (stays).")
    check_out = bounds.service_date(required=False)
    units = bounds.units_count(default=1)
    quantity = bounds.quantity(default=1, help_text="Goods items.")
    residents = bounds.pax_count(default=0, help_text="Guests resident in the comune (tax).")


class PackageLineInput(PaxInput):
    package = serializers.SlugField()
    date = bounds.service_date()
    extras = bounds.id_list(default=list)


# A serializer deep-copies and binds its fields (and its nested serializers' fields) on every
# instance. These input fields keep no state while validating (errors are raised, not stored;
# no context is read), so one bound set per class validates every request.
# `validate_with_drf = True` goes back to DRF's own path, which the tests compare against.
# (No docstring: the OpenAPI schema would show it as the serializer's description.)
class _InputFieldsBoundOnce:
    validate_with_drf = False

    @property
    def fields(self):
        if self.validate_with_drf:
            return super().fields
        bound = type(self).__dict__.get("_bound_fields")
        if bound is None:
            bound = super(_InputFieldsBoundOnce, type(self)()).fields
            type(self)._bound_fields = bound
        return bound


class HoldInput(_InputFieldsBoundOnce, serializers.Serializer):
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(max_length=40, required=False, default="")
    language = serializers.ChoiceField(choices=["it", "en", "de", "fr"], default="en")
    buyer_reference = serializers.CharField(max_length=60, required=False, default="")
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)
    lines = LineInput(many=True, required=False, default=list, max_length=bounds.MAX_IDS)
    packages = PackageLineInput(many=True, required=False, default=list, max_length=20)
    accept_package_terms = serializers.BooleanField(
        default=False,
        help_text="Required when booking a package: the pre-contract "
        "information was shown and accepted.",
    )


class AmendInput(PaxInput):
    line = bounds.object_id()
    date = bounds.service_date(required=False)
    slot = bounds.object_id(required=False)
    unit_type = bounds.object_id(required=False)
    check_out = bounds.service_date(required=False)
    units = bounds.units_count(required=False)
    expected_total = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="The new total you showed the user.",
    )
    preview = serializers.BooleanField(default=False)


class CancelInput(serializers.Serializer):
    lines = bounds.id_list(
        required=False,
        help_text="Cancel only these lines (default: all).",
    )
    reason = serializers.ChoiceField(choices=["buyer"], default="buyer")
    preview = serializers.BooleanField(default=False)


# (The docstring below is what the OpenAPI schema shows for the serializers without their
# own: keep it as it is, or the schema changes.) An answer is written by the fields of one
# bound instance per class, which only read (`get_attribute`, `to_representation`: no context,
# no per-request state), so they are shared safely between requests and threads: DRF would
# deep-copy and bind every field of every nested serializer for each answer.
# `represent_with_drf = True` goes back to DRF's own path, which the tests compare against.
class _FieldsBuiltOnce:
    """A ModelSerializer builds its fields from the model on every instance (most of an
    answer's time); an output serializer's fields never change: built once per class, copied."""

    represent_with_drf = False

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)

    @classmethod
    def _shared_readable_fields(cls):
        readable = cls.__dict__.get("_readable")
        if readable is None:
            readable = [field for field in cls().fields.values() if not field.write_only]
            cls._readable = readable
        return readable

    def to_representation(self, instance):
        if self.represent_with_drf:
            return super().to_representation(instance)
        answer = {}
        for field in self._shared_readable_fields():  # as Serializer.to_representation
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            value = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            answer[field.field_name] = None if value is None else field.to_representation(attribute)
        return answer


class LineOutput(_FieldsBuiltOnce, serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    supplier = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = BookingLine
        fields = [
            "id",
            "parent",
            "kind",
            "status",
            "product",
            "supplier",
            "title",
            "service_date",
            "end_date",
            "start_time",
            "slot",
            "unit_type",
            "quantity",
            "pax",
            "persons",
            "retail_amount",
            "public_amount",
            "vat_rate",
            "vat_regime",
            "tourist_tax",
            "penalty_amount",
            "redeemed_at",
            "cancellation_tiers",
            "price_breakdown",
        ]

    def to_representation(self, instance):
        # The breakdown is frozen from the quote: never show its purchase prices (nets).
        from trade.disclosure import partner_safe

        data = super().to_representation(instance)
        data["price_breakdown"] = partner_safe(data.get("price_breakdown") or [])
        return data


class ParticipantOutput(_FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = [
            "id",
            "first_name",
            "last_name",
            "nationality",
            "birth_date",
            "room",
            "is_leader",
            "dietary_needs",
            "accessibility_needs",
            "cancelled",
        ]


class EventOutput(_FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = BookingEvent
        fields = ["action", "from_status", "to_status", "actor_label", "reason", "created_at"]


class AmendmentOutput(_FieldsBuiltOnce, serializers.ModelSerializer):
    difference = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Amendment
        fields = ["id", "description", "old_total", "new_total", "difference", "created_at"]


class BookingOutput(_FieldsBuiltOnce, serializers.ModelSerializer):
    lines = LineOutput(many=True, read_only=True)
    participants = ParticipantOutput(many=True, read_only=True)
    events = EventOutput(many=True, read_only=True)
    amendments = AmendmentOutput(many=True, read_only=True)

    class Meta:
        model = Booking
        fields = [
            "reference",
            "status",
            "channel",
            "language",
            "contact_name",
            "contact_email",
            "buyer_reference",
            "expires_at",
            "total_retail",
            "tourist_tax",
            "penalty_total",
            "refund_due",
            "cancel_reason",
            "first_service_date",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "lines",
            "participants",
            "amendments",
            "events",
        ]


class BookingListOutput(_FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = [
            "reference",
            "status",
            "channel",
            "contact_name",
            "buyer_reference",
            "expires_at",
            "total_retail",
            "first_service_date",
            "created_at",
        ]


class AmendPreviewOutput(serializers.Serializer):
    """What `amend` answers with preview=true: the price of the change, nothing changed."""

    old_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    new_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    difference = serializers.DecimalField(max_digits=12, decimal_places=2)
    problem = serializers.CharField(allow_null=True, allow_blank=True)


class CancelPreviewOutput(serializers.Serializer):
    """What `cancel` answers with preview=true: the penalty, nothing cancelled."""

    penalty = serializers.DecimalField(max_digits=12, decimal_places=2)
