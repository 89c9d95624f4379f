from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "territoires.backoffice"
    label = "backoffice"
