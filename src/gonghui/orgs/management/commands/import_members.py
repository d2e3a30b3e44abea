from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from gonghui.core.imports.command import ImportCommand
from gonghui.core.validators import normalize_text
from gonghui.orgs.importers import MemberImporter
from gonghui.orgs.models import Organisation


class Command(ImportCommand):
    help = "导入会员：gonghui import-members FILE --org CODE [--dry-run] [--errors OUT.xlsx]"
    importer_class = MemberImporter
    noun = "名会员"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--org", required=True, metavar="CODE", help=_("导入到哪个工会（组织代码）"))

    def get_importer(self, options, actor, file_name):
        code = normalize_text(options["org"]).upper()
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            raise CommandError(_("组织代码{c}不存在").format(c=code))
        return MemberImporter(actor=actor, org=org, file_name=file_name)
