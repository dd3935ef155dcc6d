from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from accounts.tenancy import OrganisationScopedViewSet

from .. import selectors
from ..models import Allotment, AllotmentDay
from .serializers import AllotmentOutput


@extend_schema_view(
    list=extend_schema(summary="The calling partner's allotments, with usage per day"),
    retrieve=extend_schema(summary="One of the calling partner's allotments, with usage per day"),
)
class AllotmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """Rooms and seats the DMC keeps for the calling trade partner: its bookings draw on them
    first; unsold places return to general sale on each day's release date."""

    queryset = Allotment.objects.all()
    organisation_field = "partner"
    organisation_kinds = ("trade",)
    serializer_class = AllotmentOutput
    filterset_fields = ["status", "start_date", "end_date"]

    def get_base_queryset(self):
        return selectors.allotments_for_partner(Allotment.objects.all()).prefetch_related(
            Prefetch("days", queryset=AllotmentDay.objects.order_by("date", "pk"))
        )
