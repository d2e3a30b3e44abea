"""`gonghui studio_check --year 2025 [--within CODE]`: the yearly results check (S2), idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gonghui.orgs.models import Organisation
from gonghui.studios.services import results_check_run


class Command(BaseCommand):
    help = "Run the yearly results check of innovation studios: warn, revoke or restore (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--within", default="", help="organisation code (default: all)")

    def handle(self, *args, year, within, **options):
        org = None
        if within:
            org = Organisation.objects.filter(code=within).first()
            if org is None:
                raise CommandError(f"unknown organisation code {within}")
        checks = results_check_run(actor=None, year=year, within=org)
        counts: dict[str, int] = {}
        for c in checks:
            counts[c.outcome] = counts.get(c.outcome, 0) + 1
        self.stdout.write(f"{year}: checked {len(checks)} studios " + " ".join(
            f"{k}={v}" for k, v in sorted(counts.items())))
