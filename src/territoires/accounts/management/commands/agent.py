"""Operator command: `territoires agent create --email E --body SIREN --roles r1,r2`.

Creates the account if needed (without a password), gives it the roles in
the body and prints a one-time login link to hand over to the agent.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from territoires.accounts.services import login_link_create, user_get_or_create
from territoires.tenancy.models import Body
from territoires.tenancy.services import membership_grant


class Command(BaseCommand):
    help = "Gérer les agents des organismes (création avec lien de connexion à usage unique)."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="action", required=True, title="actions")
        create = subcommands.add_parser(
            "create", help="Créer un agent (ou ajouter des rôles) et afficher un lien de connexion."
        )
        create.add_argument("--email", required=True, help="Adresse électronique de l'agent.")
        create.add_argument("--body", required=True, help="SIREN de l'organisme.")
        create.add_argument(
            "--roles",
            required=True,
            help="Rôles séparés par des virgules, par exemple administrateur,agent.",
        )
        create.add_argument("--first-name", default="", help="Prénom.")
        create.add_argument("--last-name", default="", help="Nom d'usage.")

    def handle(self, *args, action, **options):
        if action == "create":
            self.create(**options)

    def create(self, *, email, body, roles, first_name, last_name, **_options):
        role_codes = [code.strip() for code in roles.split(",") if code.strip()]
        if not role_codes:
            raise CommandError(_("Indiquez au moins un rôle avec --roles."))
        target = Body.objects.filter(siren=body.strip()).first()
        if target is None:
            raise CommandError(
                _("Aucun organisme adhérent n'a le SIREN « %(siren)s ».") % {"siren": body}
            )
        try:
            with transaction.atomic():
                user, created = user_get_or_create(
                    actor=None, email=email, first_name=first_name, last_name=last_name
                )
                membership_grant(actor=None, body=target, user=user, roles=role_codes)
                url = login_link_create(user=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        template = (
            _("Compte créé : %(email)s, rôles %(roles)s dans %(body)s.")
            if created
            else _("Compte existant : %(email)s, rôles %(roles)s ajoutés dans %(body)s.")
        )
        self.stdout.write(
            template % {"email": user.email, "roles": ", ".join(role_codes), "body": target.name}
        )
        self.stdout.write(_("Lien de connexion à usage unique, valable 24 heures :"))
        self.stdout.write(url)
