"""`territoires api-token create --body SIREN --user EMAIL [--name N]` (operator use).

Prints the secret once; the database keeps its hash only.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from territoires.accounts.models import User
from territoires.api.services import api_token_create
from territoires.tenancy.models import Body


class Command(BaseCommand):
    help = "Crée un jeton d'API pour un agent d'un organisme et l'affiche une seule fois."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Créer un jeton d'API.")
        create.add_argument("--body", required=True, help="SIREN de l'organisme.")
        create.add_argument("--user", required=True, help="Adresse électronique de l'agent.")
        create.add_argument("--name", default="Jeton créé en ligne de commande", help="Nom du jeton.")

    def handle(self, *args, action: str, **options):
        body = Body.objects.filter(siren=options["body"].strip()).first()
        if body is None:
            raise CommandError(f"Aucun organisme avec le SIREN {options['body']}.")
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"Aucun utilisateur avec l'adresse {options['user']}.")
        try:
            token, secret = api_token_create(actor=None, body=body, user=user, name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Jeton « {token.name} » créé pour {user.email} dans {body.name}. "
            "Copiez-le maintenant : il ne sera plus affiché."
        )
        self.stdout.write(secret)
