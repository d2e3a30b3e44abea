import os
import subprocess
import sys
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from gonghui.core.models import AuditEvent, RoleAssignment
from gonghui.orgs.models import Member, MemberTransfer, Organisation


def test_createstaff_and_apitoken(tree):
    out = StringIO()
    call_command("createstaff", "hd_viewer", "--org", "HD", "--role", "viewer", stdout=out)
    assert "password:" in out.getvalue()
    assert RoleAssignment.objects.filter(user__username="hd_viewer", org=tree["HD"], role="viewer").exists()
    out = StringIO()
    call_command("apitoken", "hd_viewer", stdout=out)
    key = out.getvalue().strip()
    out2 = StringIO()
    call_command("apitoken", "hd_viewer", stdout=out2)
    assert len(key) == 40 and out2.getvalue().strip() == key
    with pytest.raises(CommandError):
        call_command("createstaff", "x", "--org", "NOPE", "--role", "staff")


def test_createstaff_with_password_scopes_api(client, tree, hd_member, member):
    call_command("createstaff", "hd_user", "--org", "HD", "--role", "staff", "--password", "secret-pass-123",
                 stdout=StringIO())
    assert client.login(username="hd_user", password="secret-pass-123")
    assert client.get(f"/api/v1/members/{hd_member.pk}/").status_code == 200
    assert client.get(f"/api/v1/members/{member.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_demo_is_idempotent():
    call_command("demo", "--no-serve", stdout=StringIO())
    models = [Organisation, Member, MemberTransfer, AuditEvent, RoleAssignment]
    from django.apps import apps

    models += [m for m in apps.get_models() if m._meta.app_label in {
        "elections", "contests", "welfare", "stations", "studios", "activities", "dashboard"}]
    before = {m._meta.label: m.objects.count() for m in models}
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    after = {m._meta.label: m.objects.count() for m in models}
    assert before == after
    assert Organisation.objects.get(code="JK-PHARMA").status == "preparing"
    assert Member.objects.filter(org__code="CY-SLT-RIDER").exclude(new_form_type="").count() == 60
    assert Member.objects.filter(name="刘永涛", org__code="SY-SZKG-GAS").exists()
    assert Member.objects.filter(trade="焊工").count() == 40
    assert "admin" in out.getvalue()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = dict(os.environ, GONGHUI_ENV="production", GONGHUI_DATA=str(tmp_path),
               GONGHUI_SECRET_KEY="k" * 20 + "-production-secret-key-that-is-long-enough-0123456789",
               GONGHUI_FIELD_KEY=Fernet.generate_key().decode(), GONGHUI_ALLOWED_HOSTS="gonghui.example.org")
    env.pop("GONGHUI_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    result = subprocess.run([sys.executable, "-m", "gonghui.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


def test_production_requires_keys(tmp_path):
    env = dict(os.environ, GONGHUI_ENV="production", GONGHUI_DATA=str(tmp_path))
    for k in ("GONGHUI_SECRET_KEY", "GONGHUI_FIELD_KEY"):
        env.pop(k, None)
    result = subprocess.run([sys.executable, "-m", "gonghui.cli", "check"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "GONGHUI_SECRET_KEY" in result.stderr


def test_static_assets_are_found_without_a_cdn():
    from django.contrib.staticfiles import finders

    for asset in ("css/gonghui.css", "vendor/htmx/htmx.min.js", "vendor/echarts/echarts.min.js",
                  "vendor/leaflet/leaflet.js", "img/logo.svg"):
        assert finders.find(asset), asset
