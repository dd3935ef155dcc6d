from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Allotment


class AllotmentDayOutput(serializers.Serializer):
    date = serializers.DateField()
    slots = serializers.IntegerField(help_text="Time slots of the day (0 for nights of a stay).")
    allotted = serializers.IntegerField()
    used = serializers.IntegerField(help_text="Places the partner's bookings took.")
    available = serializers.IntegerField(help_text="Places still held for the partner.")
    released = serializers.IntegerField(help_text="Places returned to general sale.")
    release_on = serializers.DateField(help_text="When unsold places return to general sale.")
    released_at = serializers.DateTimeField(allow_null=True)


class AllotmentTotalsOutput(serializers.Serializer):
    allotted = serializers.IntegerField()
    used = serializers.IntegerField()
    available = serializers.IntegerField()
    released = serializers.IntegerField()


class AllotmentOutput(serializers.ModelSerializer):
    reference = serializers.CharField()
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    product_title = serializers.CharField(source="product.title")
    unit_type = serializers.IntegerField(source="unit_type_id", allow_null=True)
    unit_type_name = serializers.CharField(source="unit_type.name", allow_null=True, default=None)
    totals = serializers.SerializerMethodField()
    days = serializers.SerializerMethodField()

    class Meta:
        model = Allotment
        fields = [
            "id",
            "reference",
            "status",
            "product",
            "product_title",
            "unit_type",
            "unit_type_name",
            "start_date",
            "end_date",
            "quantity",
            "release_days",
            "totals",
            "days",
        ]

    @extend_schema_field(AllotmentTotalsOutput)
    def get_totals(self, allotment):
        return {
            "allotted": allotment.total_allotted,
            "used": allotment.total_used,
            "available": allotment.total_available,
            "released": allotment.total_released,
        }

    @staticmethod
    def _days(allotment) -> list[dict]:
        rows = {}
        for day in allotment.days.all():  # prefetched: one query for the whole page
            row = rows.setdefault(
                day.date,
                {
                    "date": day.date,
                    "slots": 0,
                    "allotted": 0,
                    "used": 0,
                    "available": 0,
                    "released": 0,
                    "release_on": day.release_on,
                    "released_at": day.released_at,
                },
            )
            row["slots"] += 1 if day.slot_id else 0
            row["allotted"] += day.allotted
            row["used"] += day.used
            row["available"] += day.held
            row["released"] += day.released
            if day.released_at is None:
                row["released_at"] = None
        return list(rows.values())

    @extend_schema_field(AllotmentDayOutput(many=True))
    def get_days(self, allotment):
        return AllotmentDayOutput(self._days(allotment), many=True).data
