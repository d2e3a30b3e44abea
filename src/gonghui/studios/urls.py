app_name = "studios"
urlpatterns: list = []
api_urlpatterns: list = []
