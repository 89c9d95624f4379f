from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "territoires.core"
    label = "core"
