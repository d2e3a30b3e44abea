"""The worker's own card page shows what they entered, signed up for and won in the other modules."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.testing import make_user


@pytest.mark.django_db
def test_my_card_lists_activities_and_contests(client, tree, member, root_user):
    from gonghui.activities import services as activity_services
    from gonghui.contests.models import Contest, Contestant

    user = make_user("worker", role=None)
    member.user = user
    member.save()
    now = timezone.now()
    activity = activity_services.activity_create(
        actor=root_user, org=tree["SY"], theme="安全生产专题培训", kind="training", place="顺义区职工之家",
        starts_at=now + dt.timedelta(days=3), ends_at=now + dt.timedelta(days=3, hours=2), capacity=10,
        status="published")
    activity_services.signup_create(actor=root_user, activity=activity, member=member)
    contest = Contest.objects.create(org=tree["SY"], name="焊工技能竞赛决赛", trade="焊工")
    Contestant.objects.create(contest=contest, member=member, org=tree["SY-GAS"], name=member.name,
                              status="approved")
    client.force_login(user)
    html = client.get("/me/card/").content.decode()
    assert 'id="my-activities"' in html and "安全生产专题培训" in html
    assert 'id="my-contests"' in html and "焊工技能竞赛决赛" in html


@pytest.mark.django_db
def test_my_card_without_anything_has_no_sections(client, member):
    user = make_user("worker2", role=None)
    member.user = user
    member.save()
    client.force_login(user)
    html = client.get("/me/card/").content.decode()
    assert 'id="my-activities"' not in html and 'id="my-contests"' not in html
