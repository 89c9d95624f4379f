from django.apps import AppConfig


class ActesConfig(AppConfig):
    name = "territoires.actes"
    label = "actes"
