"""`territoires marches …`: operator commands of the Salle des marchés.

Subcommands are registered in `SUBCOMMANDS`; add yours with its own
`add_<name>_arguments(parser)` and `handle_<name>(command, **options)`.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from territoires.marches.importing import notices_import

IMPORT_HELP = """Importe des avis externes : avis eForms (XML : avis de marché, d'attribution,
de pré-information, avis de changement qui annulent ou modifient un avis déjà importé)
et annonces BOAMP (JSON : un enregistrement, une liste, ou une réponse de l'API Explore v2.1).
Par défaut seuls les avis exécutés dans la région (NUTS FRC*, départements 21, 25, 39, 58,
70, 71, 89, 90) sont gardés ; --all les garde tous. Un avis déjà connu n'est remplacé que par
une version plus récente. Affiche sur la sortie standard le bilan JSON
{"imported", "updated", "skipped", "rejected": [{"file", "error"}]} ; les raisons des avis
ignorés vont sur la sortie d'erreur. Chaque fichier est importé dans sa propre transaction :
un fichier refusé ne change rien. Code de sortie 0, même avec des fichiers refusés ;
2 quand aucun des fichiers n'a pu être importé."""


def add_import_notices_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FICHIER", help="Avis eForms (.xml) ou annonces BOAMP (.json)")
    parser.add_argument(
        "--all", action="store_true", dest="keep_all",
        help="Garde aussi les avis exécutés hors de la région.",
    )


def handle_import_notices(command: BaseCommand, *, files: list[str], keep_all: bool, **options) -> None:
    report = notices_import(files, keep_all=keep_all)
    command.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
    if options.get("verbosity", 1) >= 1:
        for note in report.notes:
            command.stderr.write(f"ignoré : {note['file']} : {note['reason']}")
    if files and len(report.rejected) == len(files):
        raise CommandError("Aucun fichier n'a pu être importé.", returncode=2)


TEST_HELP = """Crée et publie la consultation de test permanente d'un organisme acheteur (B6 de
l'arrêté du 22 mars 2019), où les entreprises s'entraînent ; sans effet si elle existe déjà."""


def add_test_consultation_arguments(parser) -> None:
    parser.add_argument("--body", required=True, metavar="SIREN", help="Organisme acheteur")
    parser.add_argument("--user", required=True, metavar="COURRIEL", help="Acheteur de cet organisme")


def handle_test_consultation(command: BaseCommand, *, body: str, user: str, **options) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from territoires.accounts.models import User
    from territoires.marches.rehearsal import test_consultation_ensure
    from territoires.tenancy.models import Body

    try:
        consultation = test_consultation_ensure(actor=User.objects.get(email__iexact=user),
                                                body=Body.objects.get(siren=body))
    except (User.DoesNotExist, Body.DoesNotExist):
        raise CommandError("Organisme ou utilisateur inconnu.") from None
    except PermissionDenied:
        raise CommandError("Cet utilisateur n'est pas acheteur de l'organisme (ou la salle des marchés "
                           "n'y est pas activée).") from None
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    command.stdout.write(f"Consultation de test : {consultation.get_absolute_url()}")


SUBCOMMANDS = {
    "import-notices": (IMPORT_HELP, add_import_notices_arguments, handle_import_notices),
    "test-consultation": (TEST_HELP, add_test_consultation_arguments, handle_test_consultation),
}


class Command(BaseCommand):
    help = "Salle des marchés : commandes d'exploitation (import d'avis externes…)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, (help_text, add_arguments, _handle) in SUBCOMMANDS.items():
            sub_parser = sub.add_parser(name, help=help_text.split("\n")[0], description=help_text)
            add_arguments(sub_parser)

    def handle(self, *args, action: str, **options):
        _help, _add, handle = SUBCOMMANDS[action]
        handle(self, **options)
