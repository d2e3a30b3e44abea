from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "gonghui.elections"
    label = "elections"
