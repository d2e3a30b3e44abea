from django.urls import path

from . import api, views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.org_dashboard, name="org"),
    path("<int:pk>/chart/<slug:section>/<slug:chart>.xlsx", views.chart_export, name="chart-export"),
]
api_urlpatterns = [path("dashboard/", api.DashboardView.as_view(), name="dashboard-api")]
