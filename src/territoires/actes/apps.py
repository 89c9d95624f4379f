from django.apps import AppConfig


class ActesConfig(AppConfig):
    name = "territoires.actes"
    label = "actes"

    def ready(self) -> None:
        from territoires.actes.pending import pending_for
        from territoires.tenancy.models import Service
        from territoires.tenancy.navigation import PENDING_PROVIDERS

        PENDING_PROVIDERS[Service.ACTES] = pending_for
