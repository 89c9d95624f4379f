from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "territoires.tenancy"
    label = "tenancy"
    verbose_name = "Organismes"
