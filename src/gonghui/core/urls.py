app_name = "core"
urlpatterns: list = []
api_urlpatterns: list = []
