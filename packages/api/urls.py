from rest_framework.routers import SimpleRouter

from .views import PackageViewSet

router = SimpleRouter()
router.register("packages", PackageViewSet, basename="package")

urlpatterns = router.urls
