from django.apps import AppConfig


class WelfareConfig(AppConfig):
    name = "gonghui.welfare"
    label = "welfare"
