from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.response import Response

from ..models import Organisation, Role
from ..services import organisation_update
from ..tenancy import OrganisationScopedViewSet
from .serializers import OrganisationSerializer, OrganisationUpdateSerializer


class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet
):
    """The organisation the caller acts for, with its fiscal identity."""

    queryset = Organisation.objects.select_related("comune")
    organisation_field = "pk"
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    min_write_role = Role.MANAGER

    @extend_schema(request=OrganisationUpdateSerializer, responses=OrganisationSerializer)
    def partial_update(self, request, slug=None):
        organisation = self.get_object()
        data = OrganisationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisation_update(organisation=organisation, data=data.validated_data)
        return Response(OrganisationSerializer(organisation).data)
