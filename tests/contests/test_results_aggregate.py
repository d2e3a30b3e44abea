"""The database's per-part sums of judged marks equal the C5 rules applied in Decimal."""

import random
from decimal import Decimal

import pytest

from gonghui.contests import rules
from gonghui.contests.models import Contest, Contestant, Criterion, Score
from gonghui.contests.selectors import _part_sums_in_db
from gonghui.core.testing import make_user


@pytest.mark.parametrize("aggregation", ["mean", "trimmed"])
def test_part_sums_match_the_rules(tree, aggregation):
    rng = random.Random(7)
    contest = Contest.objects.create(org=tree["SY"], name="焊工", trade="焊工", aggregation=aggregation)
    judges = [make_user(f"j{aggregation}{i}", role=None) for i in range(6)]
    criteria = [Criterion.objects.create(contest=contest, part="practical", code=f"C{i}", name=f"项{i}",
                                         kind="judgement" if i % 3 else "measurement", max_mark=Decimal(10))
                for i in range(5)]
    expected: dict[int, Decimal] = {}
    for k in range(12):
        c = Contestant.objects.create(contest=contest, name=f"选手{k}", status="approved")
        total = Decimal(0)
        for crit in criteria:
            n = rng.choice([3, 4, 5, 6])
            marks = [rng.randrange(0, 1001) for _ in range(n)]  # hundredths, 0.00–10.00
            for judge, h in zip(judges, marks, strict=False):
                Score.objects.create(contest=contest, contestant=c, part="practical", criterion=crit, judge=judge,
                                     hundredths=h)
            method = "mean" if crit.kind == "measurement" else aggregation
            mark, _flag = rules.aggregate_marks([Decimal(h) / 100 for h in marks], method=method)
            total += mark
        expected[c.pk] = total
    trimmed = [c.pk for c in criteria if c.kind != "measurement" and aggregation == "trimmed"]
    got = {cid: Decimal(int(h)) / 100 for cid, part, h in
           _part_sums_in_db(contest=contest, criteria=[c.pk for c in criteria], trimmed=trimmed)}
    assert got == expected


def test_half_up_boundary(tree):
    contest = Contest.objects.create(org=tree["SY"], name="x", trade="x")
    crit = Criterion.objects.create(contest=contest, part="practical", code="A", name="a", max_mark=Decimal(10))
    c = Contestant.objects.create(contest=contest, name="甲", status="approved")
    for i, h in enumerate((1, 2)):  # mean of 0.01 and 0.02 is 0.015 → 0.02 half up
        Score.objects.create(contest=contest, contestant=c, part="practical", criterion=crit,
                             judge=make_user(f"hj{i}", role=None), hundredths=h)
    assert _part_sums_in_db(contest=contest, criteria=[crit.pk], trimmed=[]) == [(c.pk, "practical", 2)]
