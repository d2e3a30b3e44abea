"""Dashboard figures of organisations and members over a subtree (a fixed number of queries)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.dashboard.registry import Chart, Figure, Section, Story

from .choices import MemberStatus, NewFormType, OrgStatus, OrgType
from .models import Member, MemberTransfer, Organisation


def section(*, org: Organisation, start: dt.date, end: dt.date) -> Section:
    detail = reverse("orgs:org-detail", args=[org.pk])
    unions = Organisation.objects.filter(path__startswith=org.path, type__in=[OrgType.BASE, OrgType.JOINT])
    union_counts = unions.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=OrgStatus.ACTIVE)),
        preparing=Count("id", filter=Q(status=OrgStatus.PREPARING)),
        founded=Count("id", filter=Q(founded_on__gte=start, founded_on__lte=end)),
    )
    members = Member.objects.filter(org__path__startswith=org.path)
    m = members.aggregate(
        active=Count("id", filter=Q(status=MemberStatus.ACTIVE)),
        new=Count("id", filter=Q(joined_on__gte=start, joined_on__lte=end)),
        new_form=Count("id", filter=Q(status=MemberStatus.ACTIVE) & ~Q(new_form_type="")),
        outdoor=Count("id", filter=Q(status=MemberStatus.ACTIVE, is_outdoor_worker=True)),
        women=Count("id", filter=Q(status=MemberStatus.ACTIVE, gender="female")),
    )
    tz = timezone.get_current_timezone()
    period_start = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    period_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    transferred = MemberTransfer.objects.filter(
        to_org__path__startswith=org.path, at__gte=period_start, at__lt=period_end
    ).count()
    trades = list(
        members.filter(status=MemberStatus.ACTIVE).exclude(trade="").values("trade")
        .annotate(n=Count("id")).order_by("-n", "trade")[:10]
    )
    new_form = dict(
        members.filter(status=MemberStatus.ACTIVE).exclude(new_form_type="").values_list("new_form_type")
        .annotate(n=Count("id")).values_list("new_form_type", "n")
    )
    nf_labels = [(c, str(label)) for c, label in NewFormType.choices if c]
    return Section(
        key="orgs",
        title=_("组织与会员"),
        figures=[
            Figure("unions", _("基层和联合工会"), union_counts["total"], _("个"), detail),
            Figure("unions_preparing", _("筹备中的工会"), union_counts["preparing"], _("个"), detail),
            Figure("unions_founded", _("本期新成立工会"), union_counts["founded"], _("个"), detail),
            Figure("members", _("在册会员"), m["active"], _("人"), detail),
            Figure("members_new", _("本期新入会"), m["new"], _("人"), detail),
            Figure("members_transferred", _("本期转入会员"), transferred, _("人"), detail),
            Figure("new_form", _("新就业形态劳动者"), m["new_form"], _("人"), f"{detail}?new_form=any"),
            Figure("outdoor", _("户外劳动者"), m["outdoor"], _("人"), f"{detail}?outdoor=true"),
            Figure("women", _("女职工"), m["women"], _("人"), detail),
        ],
        charts=[
            Chart("trades", _("会员工种分布（前十）"), "bar", [t["trade"] for t in trades],
                  [{"name": _("会员"), "data": [t["n"] for t in trades]}], detail),
            Chart("new_form_types", _("新就业形态劳动者构成"), "pie", [label for _c, label in nf_labels],
                  [{"name": _("人数"), "data": [new_form.get(c, 0) for c, _label in nf_labels]}],
                  f"{detail}?new_form=any"),
        ],
    )


def stories(*, org: Organisation) -> list[Story]:
    """The newest union founded in the subtree (the seed's 联合工会成立 story), or one in preparation."""
    unions = Organisation.objects.filter(path__startswith=org.path, type__in=[OrgType.BASE, OrgType.JOINT])
    founded = unions.filter(founded_on__isnull=False, status=OrgStatus.ACTIVE).order_by("-founded_on", "-id").first()
    preparing = unions.filter(status=OrgStatus.PREPARING).order_by("-created_at", "-id").first()
    recent = founded is not None and founded.founded_on >= dt.date.today() - dt.timedelta(days=365)
    latest = founded if recent or preparing is None else preparing
    if latest is None:
        return []
    members = Member.objects.filter(org=latest, status=MemberStatus.ACTIVE).count()
    if latest.status == OrgStatus.PREPARING:
        text = _("筹备中")
    else:
        text = _("{d} 经上级工会批复正式成立").format(d=latest.founded_on.isoformat())
    return [Story("union_founded", latest.name, [(str(members), _("名会员"))], text,
                  url=reverse("orgs:org-detail", args=[latest.pk]))]
