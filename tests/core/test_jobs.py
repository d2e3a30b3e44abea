"""Background jobs and the import pages: upload → preview → confirm → job done; scope; downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.core.models import AuditEvent, Job
from gonghui.core.testing import Case, PermissionMatrix, make_id_number
from gonghui.orgs.models import Member, Organisation

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = IMMEDIATE  # django-tasks drops its backends on setting_changed


def members_csv(rows) -> SimpleUploadedFile:
    text = "姓名,身份证号,手机号,入会日期\r\n" + "".join(",".join(r) + "\r\n" for r in rows)
    return SimpleUploadedFile("会员.csv", text.encode("gbk"), content_type="text/csv")


def test_upload_preview_confirm_done(client, tree, sy_staff, django_capture_on_commit_callbacks):
    client.force_login(sy_staff)
    url = reverse("core:import-org", args=["orgs.members", tree["SY-GAS"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()
    ids = [make_id_number() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": members_csv([[f"人{i}", ids[i], f"1390000000{i}", "2025/7/1"]
                                                           for i in range(3)])})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job-detail", args=[job.pk])
    assert (job.operation, job.status, job.rows_total, job.errors_count) == ("validate", "succeeded", 3, 0)
    assert Member.objects.count() == 0
    detail = client.get(response["Location"]).content.decode()
    assert "确认导入 3 行" in detail and "人0" in detail and "hx-trigger" not in detail
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(reverse("core:job-confirm", args=[job.pk]))
    done = Job.objects.exclude(pk=job.pk).get()
    assert confirm["Location"] == reverse("core:job-detail", args=[done.pk])
    assert (done.operation, done.status, done.written, done.confirms_id) == ("import", "succeeded", 3, job.pk)
    assert Member.objects.filter(org=tree["SY-GAS"]).count() == 3
    assert AuditEvent.objects.get(action="member.import").actor == sy_staff
    # confirming twice is refused, nothing more written
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:job-confirm", args=[job.pk]))
    assert Member.objects.count() == 3 and Job.objects.count() == 2


def test_errors_shown_and_error_workbook(client, tree, sy_staff, django_capture_on_commit_callbacks):
    client.force_login(sy_staff)
    url = reverse("core:import-org", args=["orgs.members", tree["SY-GAS"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": members_csv([["好", make_id_number(), "13900000001", ""],
                                               ["坏", "123", "13900000002", ""]])})
    job = Job.objects.get()
    assert (job.status, job.errors_count) == ("failed", 1)
    page = client.get(reverse("core:job-status", args=[job.pk])).content.decode()
    assert "身份证号码应为18位，实际为3位" in page and "确认导入" not in page
    response = client.get(reverse("core:job-file", args=[job.pk, "errors"]))
    body = b"".join(response.streaming_content)
    path = reverse("core:job-file", args=[job.pk, "errors"])
    assert response.status_code == 200 and path
    import io

    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert rows == [["行", "列", "值", "原因"], [3.0, "B（身份证号）", "123", "身份证号码应为18位，实际为3位"]]


def test_org_import_page(client, tree, sy_staff, django_capture_on_commit_callbacks):
    client.force_login(sy_staff)
    text = "组织代码,组织名称,组织类型,上级组织代码\r\nSY-K1,新基层,基层工会,SY\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import", args=["orgs.orgs"]),
                    {"file": SimpleUploadedFile("o.csv", text.encode("utf-8-sig"))})
    job = Job.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:job-confirm", args=[job.pk]))
    assert Organisation.objects.get_parent(Organisation.objects.get(code="SY-K1")).code == "SY"


def test_export_job(client, tree, member, sy_staff, django_capture_on_commit_callbacks):
    client.force_login(sy_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:export", args=["orgs.members", tree["SY"].pk]))
    job = Job.objects.get()
    assert response.status_code == 302 and (job.status, job.written) == ("succeeded", 1)
    file = client.get(reverse("core:job-file", args=[job.pk, "result"]))
    assert file.status_code == 200


def test_template_workbook(client, sy_staff, tree):
    client.force_login(sy_staff)
    import io

    body = b"".join(client.get(reverse("core:import-template", args=["orgs.members"])).streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["姓名*", "身份证号*", "手机号*"] and len(rows) == 2


def test_progress_is_polled_while_running(client, tree, sy_staff):
    client.force_login(sy_staff)
    job = Job.objects.create(kind="orgs.members", operation="validate", actor=sy_staff, org=tree["SY-GAS"],
                             org_path=tree["SY-GAS"].path, status="running", rows_total=1000, rows_done=250,
                             errors_count=4)
    page = client.get(reverse("core:job-status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "250" in page and ("/ 1,000" in page or "/ 1000" in page) and ">4<" in page


def test_viewer_cannot_import_and_other_subtree_is_404(client, tree, sy_viewer, sy_staff):
    client.force_login(sy_viewer)
    assert client.get(reverse("core:import-org", args=["orgs.members", tree["SY-GAS"].pk])).status_code == 403
    client.force_login(sy_staff)
    assert client.get(reverse("core:import-org", args=["orgs.members", tree["HD-PD"].pk])).status_code == 404
    assert client.get(reverse("core:import", args=["nope.nothing"])).status_code == 404


@pytest.fixture
def matrix_world(tree, sy_staff, hd_staff):
    sy_job = Job.objects.create(kind="orgs.members", operation="validate", actor=hd_staff, org=tree["SY-GAS"],
                                org_path=tree["SY-GAS"].path, status="succeeded")
    hd_job = Job.objects.create(kind="orgs.members", operation="validate", actor=hd_staff, org=tree["HD-PD"],
                                org_path=tree["HD-PD"].path, status="succeeded")
    return {"in_user": sy_staff, "tree": tree, "sy_job": sy_job, "hd_job": hd_job}


class TestPagesMatrix(PermissionMatrix):
    def matrix(self, world):
        tree, sy, hd = world["tree"], world["sy_job"], world["hd_job"]
        return [
            Case("import page", reverse("core:import-org", args=["orgs.members", tree["SY-GAS"].pk]),
                 reverse("core:import-org", args=["orgs.members", tree["HD-PD"].pk]), api=False),
            Case("job detail", reverse("core:job-detail", args=[sy.pk]), reverse("core:job-detail", args=[hd.pk]),
                 api=False, no_role_status=(404,)),
            Case("job status", reverse("core:job-status", args=[sy.pk]), reverse("core:job-status", args=[hd.pk]),
                 api=False, no_role_status=(404,)),
            Case("job list", reverse("core:job-list"), None, api=False, no_role_status=(200,)),
        ]
