app_name = "tradeportal"

urlpatterns = []
