"""A small studios world on the shared tree: two studios in an SY alliance, one studio in HD."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.core.testing import make_member, make_user
from gonghui.orgs.models import Member
from gonghui.studios import services
from gonghui.studios.choices import Honour, StudioLevel, WorkArea


@pytest.fixture
def world(tree, root_user):
    return build_world(tree, root_user)


def build_world(tree, root_user) -> dict:
    """The world as a plain function, so the browser tests can build it too."""
    bj, sy, gas, water, hd, hd_pd = (tree[c] for c in ("BJ", "SY", "SY-GAS", "SY-WATER", "HD", "HD-PD"))
    sy_staff = make_user("sy_staff", org=sy, role="staff")
    hd_staff = make_user("hd_staff", org=hd, role="staff")
    gas_staff = make_user("gas_staff", org=gas, role="staff")
    sy_viewer = make_user("sy_viewer", org=sy, role="viewer")
    judges = [make_user(f"judge{i}", org=bj, role="judge") for i in (1, 2, 3, 4)]
    leader_a = make_member(org=gas, name="刘永涛", actor=root_user, trade="焊工")
    leader_b = make_member(org=water, name="王师傅", actor=root_user)
    leader_c = make_member(org=hd_pd, name="李警官", actor=root_user)
    worker_a = make_member(org=gas, name="张小明", actor=root_user)
    leader_user = make_user("leader_a", role=None)
    Member.objects.filter(pk=leader_a.pk).update(user=leader_user)
    worker_user = make_user("worker_a", role=None)
    Member.objects.filter(pk=worker_a.pk).update(user=worker_user)
    common = dict(actor=root_user, leader_honour=Honour.CRAFTSMAN, level=StudioLevel.DISTRICT,
                  recognized_on=dt.date(2023, 4, 28), funding=Decimal("50000"))
    studio_a = services.studio_create(org=gas, name="刘永涛焊接创新工作室", leader=leader_a, **common)
    studio_b = services.studio_create(org=water, name="王师傅管网工作室", leader=leader_b, **common)
    studio_c = services.studio_create(org=hd_pd, name="李警官创新工作室", leader=leader_c, **common)
    services.studio_member_add(actor=root_user, studio=studio_a, member=worker_a, role="骨干")
    alliance = services.alliance_create(actor=root_user, host_org=sy, name="顺义市政创新工作室联盟",
                                        type="same", founded_on=dt.date(2024, 1, 1))
    for s in (studio_a, studio_b):
        services.alliance_join(actor=root_user, alliance=alliance, studio=s, joined_on=dt.date(2024, 1, 1),
                               decision="成立大会决议")
    return {
        "tree": tree, "root": root_user, "sy_staff": sy_staff, "hd_staff": hd_staff, "gas_staff": gas_staff,
        "sy_viewer": sy_viewer, "judges": judges, "leader_user": leader_user, "worker_user": worker_user,
        "leader_a": leader_a, "leader_b": leader_b, "worker_a": worker_a,
        "studio_a": studio_a, "studio_b": studio_b, "studio_c": studio_c, "alliance": alliance,
    }


@pytest.fixture
def make_topic(world):
    def _make(*, status="draft", reviews=(), actor=None, studio=None, title="焊接机器人在管网抢修中的应用"):
        studio = studio or world["studio_a"]
        alliance = world["alliance"] if studio != world["studio_c"] else None
        topic = services.topic_create(
            actor=actor or world["leader_user"], studio=studio, alliance=alliance, title=title,
            work_area=WorkArea.INNOVATION, plan="研究计划", budget=Decimal("120000"),
            team=[(world["leader_b"], world["studio_b"], "成员")] if alliance else [])
        if status == "draft":
            return topic
        topic = services.topic_submit(actor=actor or world["leader_user"], topic=topic)
        for judge, score in zip(world["judges"], reviews, strict=False):
            services.topic_review(actor=judge, topic=topic, score=score)
        topic.refresh_from_db()
        if status in ("approved", "midterm_passed", "accepted", "failed"):
            topic = services.topic_approve(actor=world["sy_staff"], topic=topic)
        if status in ("midterm_passed", "accepted"):
            topic = services.topic_midterm(actor=world["sy_staff"], topic=topic, note="中期检查通过")
        if status == "accepted":
            topic = services.topic_accept(actor=world["sy_staff"], topic=topic, note="验收通过")
        if status == "failed":
            topic = services.topic_fail(actor=world["sy_staff"], topic=topic, note="中期检查不合格")
        return topic

    return _make
