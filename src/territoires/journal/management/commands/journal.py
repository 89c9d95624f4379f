"""`territoires journal verify`: check the hash chain of the audit journal."""

from django.core.management.base import BaseCommand, CommandError

from territoires.journal.models import JournalEntry
from territoires.journal.services import journal_verify


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal d'audit (chaîne de hachages)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Détecte toute entrée modifiée ou supprimée.")

    def handle(self, *args, action: str, **options):
        problems = journal_verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"entrée {problem.seq} : {problem.message}")
            raise CommandError(f"Journal altéré : {len(problems)} anomalie(s).")
        self.stdout.write(f"Journal intègre : {JournalEntry.objects.count()} entrées vérifiées.")
