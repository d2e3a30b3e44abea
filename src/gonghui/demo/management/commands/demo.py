import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from gonghui.demo.registry import demo_loaders


class Command(BaseCommand):
    help = "Migrate, load the demo data of the newspaper page (idempotent), create admin, then serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options):
        from django.conf import settings

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已迁移 / database migrated")
        password_file = settings.DATA_DIR / "admin-password.txt"
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            password = os.environ.get("GONGHUI_ADMIN_PASSWORD") or secrets.token_urlsafe(9)
            User.objects.create_superuser(username="admin", email="", password=password)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            admin_line = f"管理员 / admin: admin  密码 / password: {password}"
        elif password_file.exists():
            admin_line = f"管理员 / admin: admin  密码 / password: {password_file.read_text().strip()}"
        else:
            admin_line = "管理员 admin 已存在，密码未改动 / admin exists, password unchanged"
        for _app, load in demo_loaders():
            with transaction.atomic():
                load(out=self.stdout)
        self.stdout.write(self.style.SUCCESS(admin_line))
        if not options["no_serve"]:
            self.stdout.write(f"http://127.0.0.1:{options['port']}/")
            call_command("serve", port=options["port"], host="127.0.0.1")
