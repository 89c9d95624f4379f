from django.apps import AppConfig


class MarchesConfig(AppConfig):
    name = "territoires.marches"
    label = "marches"
    verbose_name = "Salle des marchés"

    def ready(self) -> None:
        from territoires.marches.pending import pending_for
        from territoires.tenancy.models import Service
        from territoires.tenancy.navigation import PENDING_PROVIDERS

        PENDING_PROVIDERS[Service.MARCHES] = pending_for
