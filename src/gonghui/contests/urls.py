app_name = "contests"
urlpatterns: list = []
api_urlpatterns: list = []
