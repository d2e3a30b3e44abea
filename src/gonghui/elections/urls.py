app_name = "elections"
urlpatterns: list = []
api_urlpatterns: list = []
