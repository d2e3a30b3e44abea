"""Forms of the staff pages. Organisations are entered by code (with suggestions), which scales to any tree."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.choices import READ_ROLES, WRITE_ROLES
from gonghui.orgs.models import Organisation
from gonghui.orgs.selectors import org_list

from .choices import ActivityKind, ActivityStatus, AudienceType
from .models import Activity

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DT_FORMAT, **kwargs)


def _split_codes(value: str) -> list[str]:
    return [c for c in re.split(r"[\s,，、;；]+", value or "") if c]


class ActivityForm(forms.Form):
    org = forms.CharField(label=gettext_lazy("主办工会"), max_length=32,
                          help_text=gettext_lazy("组织代码，例如 JH；统计与权限按此组织计算"))
    co_orgs = forms.CharField(label=gettext_lazy("联合主办工会"), required=False,
                              help_text=gettext_lazy("组织代码，多个用空格或逗号分隔"))
    co_organisers = forms.CharField(label=gettext_lazy("其他主办单位"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=gettext_lazy("平台外的单位，每行一个，例如：京恒（北京）保安服务有限公司党支部"))
    theme = forms.CharField(label=gettext_lazy("活动主题"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("活动类型"), choices=ActivityKind.choices)
    description = forms.CharField(label=gettext_lazy("活动内容"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    place = forms.CharField(label=gettext_lazy("活动地点"), max_length=200)
    starts_at = forms.DateTimeField(label=gettext_lazy("开始时间"), widget=DateTimeLocal())
    ends_at = forms.DateTimeField(label=gettext_lazy("结束时间"), widget=DateTimeLocal())
    capacity = forms.IntegerField(label=gettext_lazy("名额"), required=False, min_value=1,
                                  help_text=gettext_lazy("留空表示不限名额；报满后的报名进入候补"),
                                  error_messages={"min_value": gettext_lazy("名额至少为1人，不限名额请留空")})
    audience_type = forms.ChoiceField(label=gettext_lazy("参加对象"), choices=AudienceType.choices,
                                      widget=forms.RadioSelect)
    audience_org = forms.CharField(label=gettext_lazy("面向组织"), required=False, max_length=32,
                                   help_text=gettext_lazy("该组织及其下级工会的会员可以报名；留空即主办工会"))
    audience_units = forms.CharField(label=gettext_lazy("指定单位"), required=False,
                                     help_text=gettext_lazy("组织代码，多个用空格或逗号分隔；含其下级工会"))
    signup_opens_at = forms.DateTimeField(label=gettext_lazy("报名开始"), required=False, widget=DateTimeLocal(),
                                          help_text=gettext_lazy("留空表示发布即可报名"))
    signup_closes_at = forms.DateTimeField(label=gettext_lazy("报名截止"), required=False, widget=DateTimeLocal(),
                                           help_text=gettext_lazy("留空表示活动开始时截止"))
    cost = forms.DecimalField(label=gettext_lazy("预算金额（元）"), required=False, min_value=Decimal("0"),
                              max_digits=12, decimal_places=2,
                              error_messages={"min_value": gettext_lazy("预算金额不能为负数"),
                                              "max_decimal_places": gettext_lazy("金额最多保留两位小数")})
    budget_line = forms.CharField(label=gettext_lazy("预算科目"), required=False, max_length=100,
                                  help_text=gettext_lazy("例如：工会经费—职工活动支出"))
    publish = forms.BooleanField(label=gettext_lazy("立即发布（会员可以报名）"), required=False)

    def __init__(self, *args, actor, instance: Activity | None = None, **kwargs):
        self.actor = actor
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "org": instance.org.code, "co_orgs": " ".join(o.code for o in instance.co_orgs.all()),
                "co_organisers": instance.co_organisers, "theme": instance.theme, "kind": instance.kind,
                "description": instance.description, "place": instance.place, "starts_at": instance.starts_at,
                "ends_at": instance.ends_at, "capacity": instance.capacity, "audience_type": instance.audience_type,
                "audience_org": instance.audience_org.code if instance.audience_org else "",
                "audience_units": " ".join(o.code for o in instance.audience_units.all()),
                "signup_opens_at": instance.signup_opens_at, "signup_closes_at": instance.signup_closes_at,
                "cost": instance.cost, "budget_line": instance.budget_line,
            }
        super().__init__(*args, **kwargs)
        self.fields["audience_type"].initial = AudienceType.SUBTREE
        if instance is not None:
            self.fields["org"].disabled = True
            del self.fields["publish"]
        for name in ("org", "co_orgs", "audience_org", "audience_units"):
            self.fields[name].widget.attrs["list"] = "org-codes"

    def org_suggestions(self):
        return org_list(actor=self.actor).only("code", "name")[:300]

    def _org(self, code: str, roles=READ_ROLES) -> Organisation:
        org = org_list(actor=self.actor, roles=roles).filter(code=code.strip().upper()).first() or \
            org_list(actor=self.actor, roles=roles).filter(code=code.strip()).first()
        if org is None:
            raise forms.ValidationError(_("未找到组织代码“{code}”，或不在您的管辖范围内").format(code=code))
        return org

    def clean_org(self):
        if self.instance is not None:
            return self.instance.org
        return self._org(self.cleaned_data["org"], WRITE_ROLES)

    def clean_co_orgs(self):
        return [self._org(c) for c in _split_codes(self.cleaned_data.get("co_orgs", ""))]

    def clean_audience_org(self):
        code = (self.cleaned_data.get("audience_org") or "").strip()
        return self._org(code) if code else None

    def clean_audience_units(self):
        return [self._org(c) for c in _split_codes(self.cleaned_data.get("audience_units", ""))]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("结束时间必须晚于开始时间"))
        opens, closes = data.get("signup_opens_at"), data.get("signup_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("signup_closes_at", _("报名截止时间必须晚于报名开始时间"))
        if closes and starts and closes > starts:
            self.add_error("signup_closes_at", _("报名截止时间不能晚于活动开始时间"))
        if data.get("audience_type") == AudienceType.UNITS and not data.get("audience_units") \
                and "audience_units" not in self.errors:
            self.add_error("audience_units", _("请至少指定一个参加单位"))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        kwargs = {k: d[k] for k in ("theme", "kind", "description", "place", "starts_at", "ends_at", "capacity",
                                    "audience_type", "audience_org", "signup_opens_at", "signup_closes_at",
                                    "budget_line", "co_organisers")}
        kwargs["cost"] = d.get("cost") or Decimal("0")
        kwargs["audience_units"] = d["audience_units"]
        kwargs["co_orgs"] = d["co_orgs"]
        return kwargs


class PhotoForm(forms.Form):
    image = forms.ImageField(label=gettext_lazy("照片"), help_text=gettext_lazy("JPG、PNG或WebP，不超过10MB"),
                             error_messages={"invalid_image": gettext_lazy("文件不是有效的图片")})
    caption = forms.CharField(label=gettext_lazy("图片说明"), max_length=300)
    credit = forms.CharField(label=gettext_lazy("署名"), max_length=200, required=False,
                             help_text=gettext_lazy("例如：本报记者 孙妍 / 通讯员 田文江 摄影报道"))


class ReportForm(forms.Form):
    report_text = forms.CharField(label=gettext_lazy("活动简报"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 8}))


STATUS_ACTIONS = {
    ActivityStatus.PUBLISHED: gettext_lazy("发布 / 重新开放报名"),
    ActivityStatus.CLOSED: gettext_lazy("截止报名"),
    ActivityStatus.FINISHED: gettext_lazy("标记为已结束"),
    ActivityStatus.CANCELLED: gettext_lazy("取消活动"),
}
