import io

import pytest

from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_org, make_user
from gonghui.studios import demo
from gonghui.studios.models import (
    Alliance,
    AllianceMembership,
    CharterVersion,
    LectureSignup,
    Mentorship,
    Studio,
    Topic,
    TopicReview,
)


@pytest.mark.django_db
def test_demo_builds_the_alliance_story_and_is_idempotent():
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    make_org(code="BCEG", name="北京建工集团工会", type="industry", parent=bj)
    make_user("admin", superuser=True)
    out = io.StringIO()
    demo.load(out=out)
    alliance = Alliance.objects.get(name=demo.ALLIANCE_NAME)
    assert AllianceMembership.objects.filter(alliance=alliance, left_on__isnull=True).count() == 19
    assert Studio.objects.count() == 19
    assert alliance.lead_studio.leader.name == "陶建伟"
    charter = CharterVersion.objects.get(alliance=alliance)
    assert (charter.version, charter.title, charter.approved_by) == (1, demo.CHARTER_TITLE, "联盟成立大会")
    statuses = dict(Topic.objects.values_list("title", "status"))
    assert statuses == {
        "《附着式升降脚手架在第四代错层住宅中的应用研究》": "approved",
        "《老旧小区综合整治防渗漏技术研究》": "under_review",
        "《1+1>2 职工创新工作室建设与发展》": "submitted",
    }
    assert TopicReview.objects.count() == 4
    assert LectureSignup.objects.count() == 12
    assert LectureSignup.objects.filter(attended_at__isnull=False).count() == 9
    assert Mentorship.objects.count() == 2
    assert Mentorship.objects.filter(outcome_level="技师").count() == 1
    lines = out.getvalue()
    assert "建设“好房子”职工创新工作室联盟" in lines
    counts = (Studio.objects.count(), Topic.objects.count(), AuditEvent.objects.count(),
              LectureSignup.objects.count(), TopicReview.objects.count())
    demo.load(out=io.StringIO())
    assert counts == (Studio.objects.count(), Topic.objects.count(), AuditEvent.objects.count(),
                      LectureSignup.objects.count(), TopicReview.objects.count())


@pytest.mark.django_db
def test_demo_skips_without_bceg():
    out = io.StringIO()
    demo.load(out=out)
    assert "跳过" in out.getvalue()
    assert not Studio.objects.exists()
