from django.views.generic import TemplateView

from accounts.models import Organisation, OrganisationKind
from operators.models import Product, ProductKind, ProductStatus
from packages.models import Package, PackageStatus
from places.models import Comune
from portal import selectors


class HomeView(TemplateView):
    """The public portal "Discover Piana di Lucca"."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["comuni"] = Comune.objects.filter(in_destination=True)
        context["operator_count"] = Organisation.objects.filter(
            kind=OrganisationKind.OPERATOR, is_active=True
        ).count()
        context["packages"] = (
            Package.objects.filter(status=PackageStatus.PUBLISHED)
            .prefetch_related("comuni")
            .order_by("title")[:3]
        )
        context["experiences"] = (
            Product.objects.filter(status=ProductStatus.PUBLISHED, kind=ProductKind.EXPERIENCE)
            .select_related("comune")
            .order_by("-published_at", "title")[:6]
        )
        context["comune_pages"] = selectors.comune_pages()
        context["stories"] = selectors.stories().order_by("-updated_at", "title")[:3]
        context["events"] = selectors.upcoming_events()[:3]
        context["themes"] = selectors.theme_pages()
        return context
