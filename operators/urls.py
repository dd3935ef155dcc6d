app_name = "operators"

urlpatterns: list = []
