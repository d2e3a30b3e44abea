"""Database constraints: full_clean() → ValidationError and raw create() → IntegrityError."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.studios import services
from gonghui.studios.models import (
    Achievement,
    AllianceMembership,
    LectureSignup,
    Mentorship,
    StudioCheck,
    TopicReview,
)

pytestmark = pytest.mark.django_db


def both_paths(model, **values):
    with pytest.raises(ValidationError):
        model(**values).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**values)


def test_one_review_per_reviewer_and_topic(world, make_topic):
    topic = make_topic(status="submitted", reviews=["80"])
    both_paths(TopicReview, topic=topic, reviewer=world["judges"][0], score=Decimal("70"))


@pytest.mark.parametrize("score", [Decimal("-0.01"), Decimal("100.01")])
def test_review_score_range(world, make_topic, score):
    topic = make_topic(status="submitted")
    both_paths(TopicReview, topic=topic, reviewer=world["judges"][1], score=score)


def test_one_active_membership_per_studio_and_alliance(world):
    both_paths(AllianceMembership, alliance=world["alliance"], studio=world["studio_a"],
               joined_on=dt.date(2025, 1, 1), join_decision="重复")


def test_one_signup_per_member_and_lecture(world):
    lecture = services.lecture_create(actor=world["sy_staff"], org=world["tree"]["SY"], title="讲堂", speaker="x",
                                      starts_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), venue="v", capacity=5)
    services.lecture_signup(actor=world["sy_staff"], lecture=lecture, member=world["worker_a"])
    both_paths(LectureSignup, lecture=lecture, member=world["worker_a"])


def test_patent_needs_number_and_type(world):
    both_paths(Achievement, studio=world["studio_a"], kind="patent", title="专利", achieved_on=dt.date(2025, 1, 1))


def test_mentor_is_not_own_apprentice(world):
    both_paths(Mentorship, studio=world["studio_a"], mentor=world["leader_a"], apprentice=world["leader_a"],
               started_on=dt.date(2025, 1, 1), goals="x")


def test_one_check_per_studio_and_year(world):
    services.results_check_run(actor=None, year=2024)
    both_paths(StudioCheck, studio=world["studio_a"], year=2024, result_count=0, outcome="ok",
               status_before="named", status_after="named")
