from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "territoires.accounts"
    label = "accounts"
    verbose_name = "Comptes"
