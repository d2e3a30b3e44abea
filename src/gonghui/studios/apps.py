from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "gonghui.studios"
    label = "studios"
