from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "gonghui.dashboard"
    label = "dashboard"
