app_name = "octo"

urlpatterns = []
