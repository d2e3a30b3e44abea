app_name = "dashboard"
urlpatterns: list = []
api_urlpatterns: list = []
