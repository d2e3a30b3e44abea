app_name = "activities"
urlpatterns: list = []
api_urlpatterns: list = []
