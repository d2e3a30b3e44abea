from django.urls import path

from . import api, views

app_name = "stations"

api_urlpatterns = [
    path("stations/", api.StationListView.as_view(), name="station-api-list"),
    path("stations/nearest/", api.NearestView.as_view(), name="station-api-nearest"),
    path("stations/<int:pk>/", api.StationDetailView.as_view(), name="station-api-detail"),
    path("stations/<int:pk>/inspections/", api.InspectionCreateView.as_view(), name="station-api-inspect"),
    path("stations/<int:pk>/ratings/", api.RatingCreateView.as_view(), name="station-api-rate"),
    path("stations/<int:pk>/problems/", api.ProblemCreateView.as_view(), name="station-api-problem"),
]

urlpatterns = [
    path("", views.station_list, name="station-list"),
    path("export.xlsx", views.station_export, name="station-export"),
    path("new/", views.station_create, name="station-create"),
    path("import/", views.station_import, name="station-import"),
    path("stats/", views.stats, name="stats"),
    path("mine/", views.keeper_home, name="keeper"),
    path("near/", views.near, name="near"),
    path("s/<int:pk>/", views.public_detail, name="public-detail"),
    path("v/<str:token>/", views.visit, name="visit"),
    path("<int:pk>/", views.station_detail, name="station-detail"),
    path("<int:pk>/edit/", views.station_edit, name="station-edit"),
    path("<int:pk>/keep/", views.station_keep, name="station-keep"),
    path("<int:pk>/inspect/", views.station_inspect, name="station-inspect"),
    path("<int:pk>/qr.svg", views.station_qr, name="station-qr"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem-resolve"),
]
