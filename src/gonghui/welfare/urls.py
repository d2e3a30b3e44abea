app_name = "welfare"
urlpatterns: list = []
api_urlpatterns: list = []
