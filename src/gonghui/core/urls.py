from django.urls import path

from . import views

app_name = "core"
url_prefix = "data"  # pages of data in and out live under /data/

urlpatterns: list = [
    path("jobs/", views.job_list_view, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job-confirm"),
    path("jobs/<int:pk>/file/<slug:which>/", views.job_file, name="job-file"),
    path("import/<str:kind>/", views.import_start, name="import"),
    path("import/<str:kind>/<int:org_pk>/", views.import_start, name="import-org"),
    path("template/<str:kind>.xlsx", views.import_template, name="import-template"),
    path("export/<str:kind>/<int:org_pk>/", views.export_start, name="export"),
]
api_urlpatterns: list = []
