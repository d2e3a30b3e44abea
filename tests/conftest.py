"""Fixtures shared by every app's tests: a small Beijing tree, staff users, a member."""

import pytest

from gonghui.core.testing import make_member, make_org, make_user


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    """BJ (federation) → SY (district) → SY-GAS (base); BJ → HD (district) → HD-PD (base)."""
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    sy = make_org(code="SY", name="顺义区总工会", type="district", parent=bj)
    sy_gas = make_org(code="SY-GAS", name="燃气公司工会", type="base", parent=sy)
    sy_water = make_org(code="SY-WATER", name="水务公司工会", type="base", parent=sy)
    hd = make_org(code="HD", name="海淀区总工会", type="district", parent=bj)
    hd_pd = make_org(code="HD-PD", name="海淀派出所工会", type="base", parent=hd)
    for o in (bj, sy, sy_gas, sy_water, hd, hd_pd):
        o.refresh_from_db()
    return {"BJ": bj, "SY": sy, "SY-GAS": sy_gas, "SY-WATER": sy_water, "HD": hd, "HD-PD": hd_pd}


@pytest.fixture
def root_user(db):
    return make_user("root", superuser=True)


@pytest.fixture
def sy_staff(tree):
    return make_user("sy_staff", org=tree["SY"], role="staff")


@pytest.fixture
def sy_admin(tree):
    return make_user("sy_admin", org=tree["SY"], role="admin")


@pytest.fixture
def sy_viewer(tree):
    return make_user("sy_viewer", org=tree["SY"], role="viewer")


@pytest.fixture
def hd_staff(tree):
    return make_user("hd_staff", org=tree["HD"], role="staff")


@pytest.fixture
def member(tree, root_user):
    return make_member(org=tree["SY-GAS"], name="刘永涛", actor=root_user, trade="焊工")


@pytest.fixture
def hd_member(tree, root_user):
    return make_member(org=tree["HD-PD"], name="王警官", actor=root_user)
