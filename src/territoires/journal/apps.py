from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "territoires.journal"
    label = "journal"
    verbose_name = "Journal"
