import io

from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_member, make_org
from gonghui.welfare import demo
from gonghui.welfare.models import Allotment, CareVisit, Issuance


def test_demo_is_idempotent(tree, root_user, monkeypatch):
    monkeypatch.setattr(demo, "HD_NON_MEMBERS", 12)
    hd, bj = tree["HD"], tree["BJ"]
    xs = make_org(code="HD-XS", name="学院路街道总工会", type="street", parent=hd)
    kd = make_org(code="HD-XS-KD", name="学院路快递驿站联合工会", type="joint", parent=xs)
    cy = make_org(code="CY", name="朝阳区总工会", type="district", parent=bj)
    slt = make_org(code="CY-SLT", name="三里屯街道总工会", type="street", parent=cy)
    rider = make_org(code="CY-SLT-RIDER", name="三里屯骑手联合工会", type="joint", parent=slt)
    bceg = make_org(code="BCEG", name="北京建工集团工会", type="industry", parent=bj)
    inv = make_org(code="BCEG-INV", name="北京建工投资公司工会", type="base", parent=bceg)
    for org, n in ((kd, 5), (rider, 6), (inv, 4), (tree["HD-PD"], 3)):
        for i in range(n):
            make_member(org=org, name=f"职工{org.code}{i}", actor=root_user)
    out = io.StringIO()
    demo.load(out=out)
    assert "15000份清凉包" in out.getvalue()
    assert Allotment.objects.get(org=hd, parent__isnull=True).quantity == 15000
    first = (Issuance.objects.count(), AuditEvent.objects.count(), CareVisit.objects.count())
    assert first[0] == 5 + 3 + 12 + 6 + 4 * 2 and first[2] == 2
    demo.load(out=io.StringIO())
    assert (Issuance.objects.count(), AuditEvent.objects.count(), CareVisit.objects.count()) == first
