import io

from gonghui.core.testing import make_id_number, make_member, make_user
from gonghui.elections import demo
from gonghui.elections.models import ElectionPlan, Officer


def test_demo_founds_jk_pharma_and_is_idempotent(jk, root_user):
    make_user("jk_staff", org=jk["JK"], role="staff")
    for i in range(20):
        make_member(org=jk["JK-PHARMA"], name="女工" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + str(i), actor=root_user,
                    id_number=make_id_number(female=True))
        make_member(org=jk["JK-PHARMA"], name="男工" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + str(i), actor=root_user)
    out = io.StringIO()
    demo.load(out=out)
    org = jk["JK-PHARMA"]
    org.refresh_from_db()
    assert org.status == "active" and str(org.founded_on) == "2025-06-27"
    assert Officer.objects.filter(org=org, body="committee").count() == 7
    assert Officer.objects.filter(org=org, body="women_committee").count() == 3
    assert Officer.objects.filter(org=org, body="chair").count() == 1
    counts = (ElectionPlan.objects.count(), Officer.objects.count())
    demo.load(out=out)
    assert (ElectionPlan.objects.count(), Officer.objects.count()) == counts
    lines = out.getvalue().splitlines()
    assert "当选委员" in lines[0] and "已成立" in lines[-1]
