"""`territoires demo-setup`: database, reference data and demo accounts for `make run`."""

import pyotp
from django.core.management import call_command
from django.core.management.base import BaseCommand

from territoires.core.demo import DEMO_PASSWORD, demo_setup


class Command(BaseCommand):
    help = "Prépare la base de démonstration (migrations, communes, comptes de démo)."

    def add_arguments(self, parser):
        parser.add_argument("--totp-codes", action="store_true",
                            help="Affiche seulement les codes TOTP actuels des comptes de démo.")

    def handle(self, *args, totp_codes: bool, **options):
        if not totp_codes:
            call_command("migrate", verbosity=0, interactive=False)
            call_command("communes", "load", stdout=self.stdout)
        accounts = demo_setup()
        if totp_codes:
            for account in accounts:
                if account.totp_secret:
                    self.stdout.write(f"{account.email} : {pyotp.TOTP(account.totp_secret).now()}")
            return
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        for account in accounts:
            roles = "; ".join(f"{siren} : {', '.join(r)}" for siren, r in account.bodies.items())
            roles = roles or "opérateur"
            line = f"  {account.email:32} {roles}"
            if account.totp_secret:
                line += f"\n  {'':32} double authentification, clé TOTP {account.totp_secret}"
            self.stdout.write(line)
        from territoires.marches.demo import COMPANY_EMAIL

        self.stdout.write(f"  {COMPANY_EMAIL:32} compte entreprise (salle des marchés)")
        self.stdout.write("Codes TOTP du moment : territoires demo-setup --totp-codes")
        self.stdout.write("")
