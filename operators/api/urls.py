from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AvailabilitySearchView, ProductViewSet, SlotViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("slots", SlotViewSet, basename="slot")

urlpatterns = [
    path("availability/", AvailabilitySearchView.as_view(), name="availability-search"),
    *router.urls,
]
