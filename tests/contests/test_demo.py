"""The demo builds the Shunyi welding final and is idempotent (orgs made here as the orgs demo would)."""

import io

from gonghui.contests import demo
from gonghui.contests.models import Certificate, Contest, Contestant, Result, Score
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_member, make_org


def test_demo_story_and_idempotent(tree, root_user):
    szkg = make_org(code="SY-SZKG", name="北京顺义市政控股集团有限公司工会", parent=tree["SY"])
    gas = make_org(code="SY-SZKG-GAS", name="燃气公司工会", parent=szkg)
    orgs = [szkg, gas] + [make_org(code=f"SY-C{i}", name=f"公司{i}工会", parent=tree["SY"]) for i in range(2, 8)]
    make_member(org=gas, name="刘永涛", actor=root_user, trade="焊工")
    n = 0
    for org in orgs:
        for _ in range(6):
            n += 1
            make_member(org=org, name=f"职工{n}", actor=root_user, trade="焊工" if n % 3 else "电工")
    out = io.StringIO()
    demo.load(out=out)
    weld = Contest.objects.get(trade="焊工")
    assert weld.contestants.count() == 40
    assert weld.status == "published" and weld.locked_at is not None
    results = list(Result.objects.filter(contest=weld).order_by("rank"))
    assert [r.prize for r in results[:10]] == ["first"] * 2 + ["second"] * 3 + ["third"] * 5
    assert results[0].contestant.name == "刘永涛" and results[0].title == "顺义工匠"
    assert Certificate.objects.filter(contest=weld).count() == 10
    cnc = Contest.objects.get(trade="数控机床操作工")
    assert cnc.status == "registration" and cnc.contestants.count() == 2  # what is left in SY-C6, SY-C7
    counts = (Contestant.objects.count(), Score.objects.count(), Certificate.objects.count(),
              AuditEvent.objects.count())
    demo.load(out=io.StringIO())
    assert counts == (Contestant.objects.count(), Score.objects.count(), Certificate.objects.count(),
                      AuditEvent.objects.count())  # a second run writes nothing, not even an audit row
    assert "一等奖2名（刘永涛" in out.getvalue()
