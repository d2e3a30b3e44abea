"""Demo: the founding congress of 经开区国际医药创新公园联合工会 (JK-PHARMA), from preparation to approval.

A general meeting (F3: it has ≤100 members) elects the first committee (competitive, V3) and the
women workers' committee (equal, F7); the committee elects the chair; the ballots are counted by the
rules; the report goes to 经开区总工会 (JK), whose staff approve it, and JK-PHARMA becomes active with
its officers (F4, F5). Idempotent: once JK-PHARMA has an approved founding report nothing changes.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from gonghui.orgs.choices import Gender, MemberStatus
from gonghui.orgs.models import Member, Organisation

from . import rules, services
from .choices import PlanKind, ReportState
from .models import ElectionPlan, ElectionReport

MEETING_DATE = dt.date(2025, 6, 27)


def _actors():
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).order_by("id").first()
    approver = User.objects.filter(username="jk_staff").first() or admin
    return admin, approver


def _spread(names: list[str], yes_counts: list[int], returned: int) -> list[dict]:
    """Ballots where candidate i gets yes_counts[i] votes: ballot b votes yes for i if b < yes_counts[i]
    (counts rotated per candidate so ballots differ); never more yes than seats is checked by the caller."""
    ballots = [{"yes": [], "no": [], "abstain": []} for _b in range(returned)]
    for i, (name, count) in enumerate(zip(names, yes_counts, strict=True)):
        for k in range(returned):
            b = (k + i * 7) % returned
            if k < count:
                ballots[b]["yes"].append(name)
            elif k < count + 3:
                ballots[b]["abstain"].append(name)
            else:
                ballots[b]["no"].append(name)
    return ballots


def load(*, out) -> None:
    org = Organisation.objects.filter(code="JK-PHARMA").first()
    admin, approver = _actors()
    if org is None or admin is None:
        out.write("建会选举：缺少国际医药创新公园联合工会或管理员，跳过成立大会\n")
        return
    if ElectionReport.objects.filter(plan__org=org, plan__kind=PlanKind.FOUNDING, state=ReportState.APPROVED).exists():
        out.write("建会选举：国际医药创新公园联合工会已成立（选举结果已批复）\n")
        return
    if org.status != "preparing":
        out.write("建会选举：国际医药创新公园联合工会不在筹备状态，跳过成立大会\n")
        return
    ElectionPlan.objects.filter(org=org, kind=PlanKind.FOUNDING).delete()  # an unfinished earlier run
    members = list(Member.objects.filter(org=org, status=MemberStatus.ACTIVE).order_by("id"))
    women = [m for m in members if m.gender == Gender.FEMALE]
    men = [m for m in members if m.gender != Gender.FEMALE]
    if len(members) < 26 or len(women) < 13 or len(men) < 6:
        out.write("建会选举：国际医药创新公园联合工会会员不足，跳过成立大会\n")
        return
    plan = services.plan_create(actor=admin, org=org, kind=PlanKind.FOUNDING, meeting_date=MEETING_DATE,
                                title="国际医药创新公园联合工会第一次会员大会", term_years=5,
                                chair_by="committee")
    due = len(members)
    low, high = rules.committee_size(due)
    seats = min(7, high)
    committee = services.election_create(actor=admin, org=org, plan=plan, body="committee", seats=seats, due=due,
                                         method="competitive")
    women_body = services.election_create(actor=admin, org=org, plan=plan, body="women_committee", seats=3,
                                          due=due, method="equal")
    services.plan_submit(actor=admin, plan=plan)
    services.plan_decide(actor=approver, plan=plan, approve=True, note="同意按方案召开第一次会员大会")

    committee_candidates = (women[:4] + men[:4])[: rules.competitive_minimum(seats=seats)]
    women_candidates = women[4:7]
    tellers = [m for m in members if m not in committee_candidates and m not in women_candidates][:3]
    present = members[: max((2 * due + 2) // 3 + 4, 0)][:due]
    for election, candidates in ((committee, committee_candidates), (women_body, women_candidates)):
        for m in candidates:
            services.candidate_add(actor=admin, election=election, member=m)
        services.teller_add(actor=admin, election=election, role="scrutineer", member=tellers[0])
        services.teller_add(actor=admin, election=election, role="teller", member=tellers[1])
        services.teller_add(actor=admin, election=election, role="teller", member=tellers[2])
        for m in present:
            services.attendance_tick(actor=admin, election=election, member=m)
        election.refresh_from_db()
    issued = len(present)
    returned = issued - 1
    threshold = rules.threshold(due=due)
    # Committee: 7 of 8 pass; the last is below the threshold (V2, V7).
    committee.refresh_from_db()
    names = [c.name for c in committee.candidates.all()]
    yes = [min(returned - 1, threshold + 8 - i) for i in range(len(names) - 1)] + [threshold - 5]
    ballots = _spread(names, yes, returned - 1)
    for ballot in ballots:  # keep every ballot valid (V6): at most `seats` yes
        while len(ballot["yes"]) > seats:
            ballot["abstain"].append(ballot["yes"].pop())
    ballots.append({"yes": names})  # one void ballot: more yes than seats (V6)
    services.ballots_record(actor=admin, election=committee, issued=issued, ballots=ballots)
    women_body.refresh_from_db()
    wnames = [c.name for c in women_body.candidates.all()]
    services.ballots_record(actor=admin, election=women_body, issued=issued,
                            ballots=_spread(wnames, [returned - 2, returned - 4, returned - 6], returned))
    committee.refresh_from_db()
    elected = services.elected_names(committee)
    out.write("建会选举：国际医药创新公园联合工会第一次会员大会，应到{d}人、实到{p}人，当选委员：{e}\n".format(
        p=len(present), d=due, e="、".join(elected)))
    # The new committee elects the chair (equal, among its members).
    chair = services.election_create(actor=admin, org=org, plan=plan, body="chair", seats=1, due=len(elected),
                                     method="equal")
    top = committee.candidates.get(name=elected[0])
    services.candidate_add(actor=admin, election=chair, name=top.name, member=top.member)
    services.attendance_count_set(actor=admin, election=chair, present=len(elected))
    chair.refresh_from_db()
    services.ballots_record(actor=admin, election=chair, issued=len(elected),
                            ballots=[{"yes": [top.name]}] * len(elected))
    report = services.report_submit(actor=admin, plan=plan)
    services.report_decide(actor=approver, report=report, approve=True, note="同意选举结果")
    org.refresh_from_db()
    out.write(f"建会选举：经开区总工会批复选举结果，联合工会正式成立（{org.founded_on}），主席{top.name}\n")
