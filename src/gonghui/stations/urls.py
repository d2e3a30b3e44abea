app_name = "stations"
urlpatterns: list = []
api_urlpatterns: list = []
