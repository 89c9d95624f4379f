"""`territoires body create …`: operator command to create a member body."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from territoires.interop.siren import normalize
from territoires.tenancy.kinds import BodyKind, EpciForm
from territoires.tenancy.services import body_create


class Command(BaseCommand):
    help = "Gère les organismes adhérents."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Crée un organisme adhérent.")
        create.add_argument("--siren", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=BodyKind.values)
        create.add_argument("--epci-form", default="", choices=["", *EpciForm.values])
        create.add_argument("--insee", default="", help="Code INSEE (communes)")
        create.add_argument("--population", type=int, default=None)
        create.add_argument("--services", default="", help="Liste séparée par des virgules")

    def handle(self, *args, action: str, **options):
        services = [s.strip() for s in options["services"].split(",") if s.strip()]
        try:
            body = body_create(
                actor=None,
                siren=normalize(options["siren"]),
                name=options["name"],
                kind=options["kind"],
                epci_form=options["epci_form"],
                insee_code=options["insee"],
                population=options["population"],
                services=services,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Organisme créé : {body.name} (SIREN {body.siren}), services : "
                          f"{', '.join(services) or 'aucun'}")
