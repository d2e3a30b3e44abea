"""The activities demo builds the newspaper's three activities on the orgs demo, and is idempotent."""

from __future__ import annotations

import io

from gonghui.activities import demo
from gonghui.activities.models import Activity, Photo, Signup
from gonghui.core.testing import make_user
from gonghui.orgs import demo as orgs_demo


def test_demo_is_idempotent(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DATA_DIR = tmp_path
    make_user("admin", superuser=True)
    orgs_demo.load(out=io.StringIO())
    demo.load(out=io.StringIO())
    museum = Activity.objects.get(org__code="JH")
    assert (museum.theme, museum.status, museum.co_organiser_list) == (
        "“重温抗战历史，增强实干精神”主题教育活动", "finished", ["京恒（北京）保安服务有限公司党支部"])
    assert Signup.objects.filter(activity=museum, status="confirmed").count() == 24
    assert Signup.objects.filter(activity=museum, promoted_at__isnull=False).count() == 1
    assert Signup.objects.filter(activity=museum, checked_in_at__isnull=False).count() == 22
    assert sorted(set(museum.photos.values_list("credit", flat=True))) == ["本报记者 孙妍 / 通讯员 田文江 摄影报道"]
    assert all("示意图" in c for c in museum.photos.values_list("caption", flat=True))
    assert Activity.objects.get(org__code="BCEG").kind == "lecture"
    assert Activity.objects.get(org__code="SY").kind == "training"
    counts = (Activity.objects.count(), Signup.objects.count(), Photo.objects.count())
    out = io.StringIO()
    demo.load(out=out)
    assert (Activity.objects.count(), Signup.objects.count(), Photo.objects.count()) == counts
    assert out.getvalue().count("已存在") == 3
