from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "gonghui.contests"
    label = "contests"
