from rest_framework.routers import SimpleRouter

from .views import AllotmentViewSet

router = SimpleRouter()
router.register("allotments", AllotmentViewSet, basename="allotment")

urlpatterns = router.urls
