"""The activities demo builds the newspaper's three activities on the orgs demo, and is idempotent."""

from __future__ import annotations

import io

from gonghui.activities import demo
from gonghui.activities.models import Activity, Photo, Signup
from gonghui.core.testing import make_member, make_org, make_user


def _demo_orgs(root):
    """The organisations (codes of the orgs demo) and a few members the activities demo builds on."""
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    sy = make_org(code="SY", name="顺义区总工会", type="district", parent=bj)
    szkg = make_org(code="SY-SZKG", name="顺义市政控股工会", parent=sy)
    gas = make_org(code="SY-SZKG-GAS", name="燃气公司工会", parent=szkg)
    c2 = make_org(code="SY-C2", name="新城建设工会", parent=sy)
    bceg = make_org(code="BCEG", name="北京建工集团工会", type="industry", parent=bj)
    inv = make_org(code="BCEG-INV", name="北京建工投资公司工会", parent=bceg)
    jh = make_org(code="JH", name="京恒（北京）保安服务有限公司工会", parent=bj)
    for i in range(28):
        make_member(org=jh, name=f"保安员{i}", actor=root)
    for org in (gas, c2):
        for i in range(2):
            make_member(org=org, name=f"焊工{i}", actor=root, trade="焊工")
    make_member(org=inv, name="造价员", actor=root)


def test_demo_is_idempotent(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    root = make_user("admin", superuser=True)
    _demo_orgs(root)
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
