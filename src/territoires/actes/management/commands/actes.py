"""`territoires actes <subcommand>`: ACTES tools for operators and support.

`parse FILE` reads an archive (.tar.gz), a single message or an envelope —
ours or any other tiers' — and prints what it says as JSON, so that support
can answer "what did the préfecture send?" without opening XML by hand.
Subcommands are argparse subparsers so that more (send, simulate…) can join.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territoires.interop.actes import ActesError, parse_any


class Command(BaseCommand):
    help = "Outils @CTES : lecture d'archives et de messages ACTES."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        parse = sub.add_parser(
            "parse",
            help="Affiche en JSON le contenu d'une archive .tar.gz, d'un message ou d'une enveloppe.",
        )
        parse.add_argument("file", help="Chemin de l'archive ou du fichier XML.")
        parse.add_argument("--no-schema", action="store_true",
                           help="Ne pas vérifier le schéma ACTES (pas d'avertissements de schéma).")

    def handle(self, *args, action: str, **options):
        handler = getattr(self, f"handle_{action}")
        handler(**options)

    def handle_parse(self, *, file: str, no_schema: bool = False, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {path}") from None
        except OSError as exc:
            raise CommandError(f"Lecture impossible de {path} : {exc.strerror}") from None
        reference_dir = None if no_schema else Path(settings.REFERENCE_DATA_DIR) / "actes"
        try:
            parsed = parse_any(data, path.name, reference_dir=reference_dir)
        except ActesError as exc:
            raise CommandError(f"Fichier illisible ({path.name}) : {exc}") from None
        except FileNotFoundError as exc:  # schema folder misconfigured
            raise CommandError(f"{exc} (réglage REFERENCE_DATA_DIR)") from None
        self.stdout.write(json.dumps(parsed.to_json(), ensure_ascii=False, indent=2))
