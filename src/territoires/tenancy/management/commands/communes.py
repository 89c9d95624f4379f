"""`territoires communes load`: load the region's communes with their coordinates."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territoires.tenancy.communes import communes_load


class Command(BaseCommand):
    help = "Charge les communes de la région depuis le référentiel (../shared/reference)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Charge ou met à jour les communes.")
        load.add_argument("--file", type=Path, default=None)

    def handle(self, *args, action: str, file: Path | None, **options):
        try:
            created, updated = communes_load(file)
        except FileNotFoundError as error:
            raise CommandError(
                f"Fichier introuvable : {error.filename}. Vérifiez TERRITOIRES_REFERENCE_DIR."
            ) from error
        self.stdout.write(f"Communes : {created} créées, {updated} mises à jour.")
