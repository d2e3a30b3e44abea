from gonghui.core.imports.command import ImportCommand
from gonghui.orgs.importers import OrgImporter


class Command(ImportCommand):
    help = "导入组织：gonghui import-orgs FILE [--dry-run] [--errors OUT.xlsx]"
    importer_class = OrgImporter
    noun = "个组织"
