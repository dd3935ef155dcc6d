from django.views.generic import TemplateView

from accounts.models import Organisation, OrganisationKind
from places.models import Comune


class HomeView(TemplateView):
    """The public portal "Discover Piana di Lucca"."""

    template_name = "marketplace/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["comuni"] = Comune.objects.filter(in_destination=True)
        context["operator_count"] = Organisation.objects.filter(
            kind=OrganisationKind.OPERATOR, is_active=True
        ).count()
        return context
