"""Background jobs: imports and exports started from a page run as tasks; the Job row carries progress.

Writes (`job_start_import`, `job_confirm`, `job_start_export`, `job_execute`) and reads (`job_list`,
`job_get`) of core's Job model. `job_execute` is what the task runs (core.tasks.run_job); the command
line runs the same pipeline in the foreground (core.imports.command).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import READ_ROLES, WRITE_ROLES
from .errors import DomainError
from .imports import get_exporter, get_importer, run_import, write_error_workbook
from .models import Job, JobOperation, JobStatus
from .scope import has_role_on, scope_filter

__all__ = ["job_confirm", "job_execute", "job_get", "job_list", "job_start_export", "job_start_import",
           "job_may_download"]

PREVIEW_ERRORS = 500


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job.pk))


@transaction.atomic
def job_start_import(*, actor: AbstractBaseUser, kind: str, org=None, upload: UploadedFile,
                     dry_run: bool = True) -> Job:
    """Store the upload and queue a dry run (or an import) of it."""
    importer_class = get_importer(kind)
    importer_class(actor=actor, org=org, file_name=upload.name).check_access()
    from django.conf import settings

    if upload.size > settings.GONGHUI_IMPORT_MAX_BYTES:
        raise DomainError("too_large", _("文件过大：{s} MB，上限为 {m} MB").format(
            s=round(upload.size / 1048576, 1), m=round(settings.GONGHUI_IMPORT_MAX_BYTES / 1048576, 1)))
    job = Job(kind=kind, operation=JobOperation.VALIDATE if dry_run else JobOperation.IMPORT, actor=actor,
              org=org, org_path=getattr(org, "path", ""), file_name=Path(upload.name).name[:255])
    suffix = Path(upload.name).suffix.lower()[:8]
    job.source.save(f"upload{suffix}", upload, save=False)
    job.save()
    _enqueue(job)
    return job


@transaction.atomic
def job_confirm(*, actor: AbstractBaseUser, job: Job) -> Job:
    """Import the file a successful dry run checked: a new job on the same file."""
    if job.operation != JobOperation.VALIDATE or job.status != JobStatus.SUCCEEDED:
        raise DomainError("not_confirmable", _("只有预检通过的文件才能确认导入"))
    if job.actor_id != actor.pk:
        raise DomainError("not_confirmable", _("只有上传文件的人可以确认导入"))
    if Job.objects.filter(confirms=job).exists():
        raise DomainError("already_confirmed", _("该文件已确认导入，请勿重复提交"))
    get_importer(job.kind)(actor=actor, org=job.org, file_name=job.file_name).check_access()
    new = Job.objects.create(kind=job.kind, operation=JobOperation.IMPORT, actor=actor, org=job.org,
                             org_path=job.org_path, file_name=job.file_name, source=job.source.name, confirms=job)
    _enqueue(new)
    return new


@transaction.atomic
def job_start_export(*, actor: AbstractBaseUser, kind: str, org, options: dict[str, Any] | None = None) -> Job:
    exporter = get_exporter(kind)(actor=actor, org=org, **(options or {}))
    exporter.check_access()
    job = Job.objects.create(kind=kind, operation=JobOperation.EXPORT, actor=actor, org=org,
                             org_path=getattr(org, "path", ""), options=options or {},
                             file_name=exporter.file_name())
    _enqueue(job)
    return job


@contextlib.contextmanager
def _local_path(field) -> Iterator[Path]:
    """A local file for a FileField: its own path on disk, or a temporary copy from remote storage."""
    try:
        yield Path(field.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=Path(field.name).suffix) as tmp:
        with field.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


class _JobProgress:
    """Writes progress to the Job row at most twice a second (outside the import's transaction)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, stage: str, done: int, errors: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and stage not in ("check",):
            return
        self.last = now
        total = max(total, done)
        Job.objects.filter(pk=self.job.pk).update(stage=stage, rows_done=done, rows_total=total,
                                                  errors_count=errors)


def job_execute(job_id: int) -> Job:
    """Run a queued job to its end; every failure ends as a FAILED job with a message, never a crash."""
    job = Job.objects.select_related("org", "actor").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        if job.operation == JobOperation.EXPORT:
            _execute_export(job)
        else:
            _execute_import(job)
    except DomainError as exc:
        _finish(job, status=JobStatus.FAILED, message=exc.message)
    except Exception as exc:  # a job reports its failure on its page; the worker keeps running
        _finish(job, status=JobStatus.FAILED, message=_("任务意外失败：{e}").format(e=str(exc)[:300]))
        raise
    job.refresh_from_db()
    return job


def _finish(job: Job, **fields: Any) -> None:
    fields.setdefault("finished_at", timezone.now())
    Job.objects.filter(pk=job.pk).update(**fields)


def _execute_import(job: Job) -> None:
    importer = get_importer(job.kind)(actor=job.actor, org=job.org, file_name=job.file_name)
    progress = _JobProgress(job)
    with _local_path(job.source) as path:
        outcome = run_import(importer, path, dry_run=job.operation == JobOperation.VALIDATE, progress=progress)
    fields: dict[str, Any] = {
        "status": JobStatus.SUCCEEDED if outcome.ok else JobStatus.FAILED,
        "stage": "done",
        "rows_total": outcome.rows_total,
        "rows_done": outcome.rows_total,
        "errors_count": len(outcome.errors),
        "written": outcome.written,
        "message": outcome.message,
        "warnings": outcome.warnings,
        "preview": {
            "sheet": outcome.sheet,
            "headers": outcome.preview_headers,
            "rows": outcome.preview_rows,
            "errors": [e.as_list() for e in outcome.errors[:PREVIEW_ERRORS]],
        },
    }
    if outcome.errors:
        fd, tmp = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            write_error_workbook(tmp, outcome.errors)
            with open(tmp, "rb") as handle:
                job.error_file.save(f"errors-{job.pk}.xlsx", File(handle), save=False)
        finally:
            os.unlink(tmp)
        fields["error_file"] = job.error_file.name
    _finish(job, **fields)


def _execute_export(job: Job) -> None:
    exporter = get_exporter(job.kind)(actor=job.actor, org=job.org, **job.options)
    if hasattr(exporter, "count"):
        Job.objects.filter(pk=job.pk).update(rows_total=exporter.count(), stage="export")
    progress = _JobProgress(job)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        count = exporter.export(tmp, progress=lambda n: progress("export", n), file_name=job.file_name)
        with open(tmp, "rb") as handle:
            job.result_file.save(f"export-{job.pk}.xlsx", File(handle), save=False)
    finally:
        os.unlink(tmp)
    _finish(job, status=JobStatus.SUCCEEDED, stage="done", rows_total=count, rows_done=count, written=count,
            result_file=job.result_file.name, message=_("已导出{n}条").format(n=count))


# ---------------------------------------------------------------- reads


def job_list(*, actor: AbstractBaseUser | AnonymousUser) -> QuerySet[Job]:
    """The jobs of the actor's subtree(s), and the actor's own."""
    scoped = scope_filter(Job.objects.all(), actor, path_field="org_path", roles=READ_ROLES)
    if getattr(actor, "is_authenticated", False):
        scoped = Job.objects.filter(Q(pk__in=scoped.values("pk")) | Q(actor=actor))
    return scoped.select_related("actor", "org").order_by("-created_at", "-id")


def job_get(*, actor: AbstractBaseUser | AnonymousUser, pk: Any) -> Job:
    try:
        return job_list(actor=actor).get(pk=int(pk))
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404


def job_may_download(*, actor: AbstractBaseUser, job: Job) -> bool:
    """Uploaded files and reports hold personal data: the job's own actor or a write role on its org."""
    if actor.is_superuser or job.actor_id == actor.pk:
        return True
    return job.org is not None and has_role_on(actor, job.org, WRITE_ROLES)


