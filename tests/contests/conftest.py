import pytest

from gonghui.contests import services
from gonghui.core.testing import make_member, make_user


@pytest.fixture
def contest(tree, sy_staff):
    return services.contest_create(
        actor=sy_staff, org=tree["SY"], name="焊工决赛", trade="焊工",
        parts=[{"code": "theory", "weight": "0.3"}, {"code": "practical", "weight": "0.7"}],
        prizes={"mode": "count", "first": 1, "second": 1, "third": 1, "titles": {"first": "顺义工匠"}},
        tie_break=["time", "practical", "theory"],
    )


@pytest.fixture
def welders(tree, root_user):
    gas = [make_member(org=tree["SY-GAS"], name=n, actor=root_user, trade="焊工") for n in ("刘永涛", "张伟")]
    water = [make_member(org=tree["SY-WATER"], name=n, actor=root_user, trade="焊工") for n in ("王强", "李娜")]
    return gas + water


@pytest.fixture
def judge(tree, root_user):
    """A judge whose linked member is in SY-WATER (so recused from SY-WATER contestants)."""
    user = make_user("judge1", role=None)
    make_member(org=tree["SY-WATER"], name="裁判甲", actor=root_user).__class__.objects.filter(
        name="裁判甲").update(user=user)
    return user


@pytest.fixture
def chief(tree):
    return make_user("chief", role=None)
