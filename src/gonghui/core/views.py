"""Mixins and small views shared by every app's pages."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .choices import READ_ROLES
from .errors import DomainError, NotFound, PermissionDeniedError
from .scope import scope_filter, scope_paths

__all__ = ["ScopedViewMixin", "export_start", "healthz", "import_start", "import_template", "job_confirm",
           "job_detail", "job_file", "job_list_view", "job_status"]


class ScopedViewMixin(LoginRequiredMixin):
    """A page for staff: login required, a role required, and `self.scoped(qs)` for every lookup."""

    read_roles = READ_ROLES

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            paths = scope_paths(request.user, self.read_roles)
            if paths is not None and not paths:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, queryset, *, path_field: str = "org__path"):
        return scope_filter(queryset, self.request.user, path_field=path_field, roles=self.read_roles)


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the health check reports, it does not raise
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


# ---------------------------------------------------------------- data in and out: imports, exports, jobs
class ImportUploadForm(forms.Form):
    file = forms.FileField(label="选择文件", help_text="支持 .xlsx、.xls 和 .csv（UTF-8 或 GBK 编码）")


def _raise_domain(exc: DomainError):
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message)


def _importer_or_404(kind: str):
    from .imports import get_importer

    try:
        return get_importer(kind)
    except LookupError:
        raise Http404


def _target_org(request, importer_class, org_pk):
    if org_pk is None:
        if importer_class.needs_org:
            raise Http404
        return None
    from gonghui.orgs.selectors import org_get

    return org_get(actor=request.user, pk=org_pk)


@login_required
def import_start(request, kind: str, org_pk: int | None = None):
    """Upload a file for a dry run (the preview page follows)."""
    from . import jobs

    importer_class = _importer_or_404(kind)
    org = _target_org(request, importer_class, org_pk)
    try:
        importer_class(actor=request.user, org=org).check_access()
    except DomainError as exc:
        _raise_domain(exc)
        raise PermissionDenied(exc.message)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_start_import(actor=request.user, kind=kind, org=org, upload=form.cleaned_data["file"])
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("core:job-detail", pk=job.pk)
    recent = jobs.job_list(actor=request.user).filter(kind=kind, org=org)[:5]
    return render(request, "core/import_start.html", {
        "form": form, "error": error, "importer": importer_class, "org": org, "kind": kind,
        "columns": importer_class.columns, "recent": recent,
    }, status=400 if error else 200)


@login_required
def import_template(request, kind: str):
    """The template workbook: the headers and one example row."""
    from .imports import write_template_workbook

    importer_class = _importer_or_404(kind)
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    tmp.close()
    write_template_workbook(tmp.name, importer_class)
    handle = open(tmp.name, "rb")
    Path(tmp.name).unlink()
    return FileResponse(handle, as_attachment=True, filename=f"{importer_class.title}导入模板.xlsx",
                         content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def job_detail(request, pk: int):
    from . import jobs

    job = jobs.job_get(actor=request.user, pk=pk)
    return render(request, "core/job_detail.html", _job_context(request, job))


@login_required
def job_status(request, pk: int):
    """The part of the job page that htmx polls every second while the job runs."""
    from . import jobs

    job = jobs.job_get(actor=request.user, pk=pk)
    return render(request, "core/_job_status.html", _job_context(request, job))


def _job_context(request, job):
    from . import jobs
    from .models import Job, JobOperation, JobStatus

    confirmed = Job.objects.filter(confirms=job).order_by("-id").first()
    may_download = jobs.job_may_download(actor=request.user, job=job)
    return {
        "job": job, "confirmed": confirmed, "may_download": may_download,
        "may_confirm": (job.operation == JobOperation.VALIDATE and job.status == JobStatus.SUCCEEDED
                        and confirmed is None and job.actor_id == request.user.pk),
        "preview": job.preview or {}, "errors_more": max(0, job.errors_count - len((job.preview or {}).get("errors", []))),
    }


@login_required
@require_POST
def job_confirm(request, pk: int):
    from . import jobs

    job = jobs.job_get(actor=request.user, pk=pk)
    try:
        new = jobs.job_confirm(actor=request.user, job=job)
    except DomainError as exc:
        _raise_domain(exc)
        from django.contrib import messages

        messages.error(request, exc.message)
        return redirect("core:job-detail", pk=job.pk)
    return redirect("core:job-detail", pk=new.pk)


@login_required
def job_file(request, pk: int, which: str):
    from . import jobs

    job = jobs.job_get(actor=request.user, pk=pk)
    if not jobs.job_may_download(actor=request.user, job=job):
        raise PermissionDenied
    field = {"source": job.source, "errors": job.error_file, "result": job.result_file}.get(which)
    if not field:
        raise Http404
    names = {"source": job.file_name, "errors": f"错误报告-{Path(job.file_name).stem}.xlsx",
             "result": job.file_name}
    return FileResponse(field.open("rb"), as_attachment=True, filename=names[which] or Path(field.name).name)


@login_required
def job_list_view(request):
    from django.core.paginator import Paginator

    from . import jobs

    page = Paginator(jobs.job_list(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page, "jobs": page.object_list})


@login_required
@require_POST
def export_start(request, kind: str, org_pk: int):
    from gonghui.orgs.selectors import org_get

    from . import jobs

    org = org_get(actor=request.user, pk=org_pk)
    options = {"full_pii": True} if request.POST.get("full_pii") == "1" else {}
    try:
        job = jobs.job_start_export(actor=request.user, kind=kind, org=org, options=options)
    except LookupError:
        raise Http404
    except DomainError as exc:
        _raise_domain(exc)
        raise PermissionDenied(exc.message)
    return redirect(reverse("core:job-detail", kwargs={"pk": job.pk}))
