from django.apps import AppConfig


class MarchesConfig(AppConfig):
    name = "territoires.marches"
    label = "marches"
    verbose_name = "Salle des marchés"

    def ready(self) -> None:
        from territoires.core.uploads import register_purpose
        from territoires.marches.pending import pending_for
        from territoires.marches.services import dce_max_bytes
        from territoires.tenancy.access import holds_perm_anywhere
        from territoires.tenancy.models import Service
        from territoires.tenancy.navigation import PENDING_PROVIDERS

        PENDING_PROVIDERS[Service.MARCHES] = pending_for
        register_purpose("marches.dce", max_bytes=dce_max_bytes,
                         allowed=lambda user: holds_perm_anywhere(user, "marches.manage"))
