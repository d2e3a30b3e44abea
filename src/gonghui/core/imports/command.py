"""The command-line face of the import pipeline: `gonghui import-<thing> FILE [--dry-run] [--errors OUT.xlsx]`.

Exit status 0 on success (the count printed), 1 on any error with nothing written (the first errors
printed to stderr; with `--errors` the whole report as a workbook with columns 行, 列, 值, 原因).
Progress goes to stderr as one updating line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError

from .pipeline import Importer, run_import, write_error_workbook

__all__ = ["ImportCommand", "StderrProgress"]

SHOW_ERRORS = 20


class StderrProgress:
    """A progress line on stderr, redrawn at most five times a second."""

    STAGES = {"read": "校验", "check": "交叉校验", "write": "写入", "export": "导出"}

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.last = 0.0
        self.drawn = False

    def __call__(self, stage: str, done: int, errors: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if not self.drawn and (stage == "check" or done < 1000):
            return
        if now - self.last < 0.2 and stage != "check":
            return
        self.last = now
        text = _("{s}：{n} 行").format(s=self.STAGES.get(stage, stage), n=f"{done:,}")
        if total:
            text += f" / {total:,}"
        if errors:
            text += _("，错误 {e} 处").format(e=errors)
        end = "\r" if self.stream.isatty() else "\n"
        self.stream.write(text + end)
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn and self.stream.isatty():
            self.stream.write("\n")


class ImportCommand(BaseCommand):
    importer_class: type[Importer]
    noun = ""

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("要导入的 .xlsx 或 .csv 文件"))
        parser.add_argument("--dry-run", action="store_true", help=_("只校验，不写入"))
        parser.add_argument("--errors", metavar="OUT.xlsx", help=_("把全部错误写入这个工作簿（行、列、值、原因）"))
        parser.add_argument("--user", help=_("以该账号的身份导入（默认为系统）"))
        parser.add_argument("--quiet", action="store_true", help=_("不显示进度"))

    def get_importer(self, options, actor, file_name: str) -> Importer:
        return self.importer_class(actor=actor, file_name=file_name)

    def handle(self, *args, **options):
        actor = None
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("账号{u}不存在").format(u=options["user"]))
        path = Path(options["file"])
        try:
            importer = self.get_importer(options, actor, path.name)
        except DomainError as exc:
            raise CommandError(exc.message)
        progress = None if options["quiet"] else StderrProgress(self.stderr._out)
        try:
            outcome = run_import(importer, path, dry_run=options["dry_run"], progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message)
        if progress is not None:
            progress.finish()
        for warning in outcome.warnings:
            self.stderr.write(_("提示：{w}").format(w=warning))
        if not outcome.ok:
            if options.get("errors"):
                write_error_workbook(options["errors"], outcome.errors)
            for error in outcome.errors[:SHOW_ERRORS]:
                where = _("第{r}行").format(r=error.row) if error.row else _("文件")
                column = f" {error.column}" if error.column else ""
                value = _("（值：{v}）").format(v=error.value) if error.value else ""
                self.stderr.write(f"{where}{column}{value}：{error.reason}")
            if len(outcome.errors) > SHOW_ERRORS:
                self.stderr.write(_("……另有{n}处错误").format(n=len(outcome.errors) - SHOW_ERRORS)
                                  + (_("，见 {f}").format(f=options["errors"]) if options.get("errors") else
                                     _("，用 --errors OUT.xlsx 导出全部错误")))
            raise CommandError(outcome.message, returncode=1)
        if options.get("errors"):
            Path(options["errors"]).unlink(missing_ok=True)  # no stale report from an earlier run
        if outcome.dry_run:
            self.stdout.write(_("校验通过：{n}{noun}可以导入（--dry-run，未写入）").format(
                n=outcome.rows_total, noun=self.noun))
        else:
            self.stdout.write(_("已导入{n}{noun}").format(n=outcome.written, noun=self.noun))
