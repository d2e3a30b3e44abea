from django.core.management.base import BaseCommand, CommandError

from gonghui.core.errors import DomainError
from gonghui.orgs.models import Organisation
from gonghui.orgs.services import staff_create


class Command(BaseCommand):
    help = "Create a staff user with a role on an organisation (and so on its whole subtree)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="organisation code")
        parser.add_argument("--role", required=True, choices=["admin", "staff", "viewer", "judge",
                                                              "distributor", "station_keeper"])
        parser.add_argument("--password", help="password (generated and printed when omitted)")

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"组织代码 {options['org']} 不存在 / unknown organisation code")
        try:
            user, password = staff_create(actor=None, username=options["username"], org=org,
                                          role=options["role"], password=options.get("password"))
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"{user.username}: {options['role']} @ {org.code} {org.name}")
        if password and not options.get("password"):
            self.stdout.write(f"password: {password}")
