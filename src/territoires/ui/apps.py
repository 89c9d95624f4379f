from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "territoires.ui"
    label = "ui"
