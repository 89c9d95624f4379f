from django.apps import AppConfig


class MarchesConfig(AppConfig):
    name = "territoires.marches"
    label = "marches"
    verbose_name = "Salle des marchés"
