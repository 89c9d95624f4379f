from django.apps import AppConfig


class FormationsConfig(AppConfig):
    name = "territoires.formations"
    label = "formations"
