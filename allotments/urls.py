app_name = "allotments"

urlpatterns = []
