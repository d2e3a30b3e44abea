from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError
from gonghui.core.imports.command import StderrProgress
from gonghui.core.validators import normalize_text
from gonghui.orgs.importers import MemberExporter
from gonghui.orgs.models import Organisation


class Command(BaseCommand):
    help = "导出会员：gonghui export-members --org CODE -o FILE.xlsx [--full-pii]"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, metavar="CODE", help=_("导出该组织及其下级组织的会员"))
        parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        parser.add_argument("--full-pii", action="store_true", help=_("导出完整的身份证号和手机号（记入审计）"))
        parser.add_argument("--user", help=_("以该账号的身份导出（默认为系统）"))
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
        code = normalize_text(options["org"]).upper()
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            raise CommandError(_("组织代码{c}不存在").format(c=code))
        actor = None
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("账号{u}不存在").format(u=options["user"]))
        target = Path(options["output"])
        if target.suffix.lower() != ".xlsx":
            raise CommandError(_("输出文件应以 .xlsx 结尾"))
        progress = None if options["quiet"] else StderrProgress(self.stderr._out)
        partial = target.with_name(target.name + ".part")
        try:
            count = MemberExporter(actor=actor, org=org, full_pii=options["full_pii"]).export(
                partial, progress=(lambda n: progress("export", n)) if progress else None, file_name=target.name)
        except DomainError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(exc.message)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)
        if progress is not None:
            progress.finish()
        self.stdout.write(_("已导出{n}名会员到 {f}").format(n=count, f=target))
