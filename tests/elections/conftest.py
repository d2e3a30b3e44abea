import pytest

from gonghui.core.testing import make_member, make_org, make_user

WOMEN = ["王芳", "李娜", "张敏", "刘静", "陈丽", "杨洋", "赵艳", "黄娟", "周霞", "吴秀英"]
MEN = ["孙伟", "马超", "丁一", "朱强", "胡军"]


@pytest.fixture
def jk(tree):
    """BJ → JK (district) → JK-PHARMA (joint union, preparing) with 15 members, 10 of them women."""
    jk = make_org(code="JK", name="北京经济技术开发区总工会", type="district", parent=tree["BJ"])
    pharma = make_org(code="JK-PHARMA", name="国际医药创新公园联合工会", type="joint", parent=jk, status="preparing")
    pharma.refresh_from_db()
    jk.refresh_from_db()
    return {"JK": jk, "JK-PHARMA": pharma}


@pytest.fixture
def pharma_members(jk, root_user):
    from gonghui.core.testing import make_id_number

    members = {}
    for name in WOMEN:
        members[name] = make_member(org=jk["JK-PHARMA"], name=name, actor=root_user,
                                    id_number=make_id_number(female=True))
    for name in MEN:
        members[name] = make_member(org=jk["JK-PHARMA"], name=name, actor=root_user)
    return members


@pytest.fixture
def jk_staff(jk):
    return make_user("jk_staff", org=jk["JK"], role="staff")


@pytest.fixture
def pharma_staff(jk):
    return make_user("pharma_staff", org=jk["JK-PHARMA"], role="staff")
