from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import CampaignStatus, CampaignType, TargetGroup

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.Form):
    owner = forms.ChoiceField(label=_("主办工会"))
    name = forms.CharField(label=_("活动名称"), max_length=200)
    type = forms.ChoiceField(label=_("活动类型"), choices=CampaignType.choices)
    status = forms.ChoiceField(label=_("状态"), choices=CampaignStatus.choices, initial=CampaignStatus.ACTIVE)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    budget = forms.DecimalField(label=_("预算（元）"), min_value=0, max_digits=14, decimal_places=2)
    target_groups = forms.MultipleChoiceField(label=_("慰问对象"), choices=TargetGroup.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(o.code, f"{o.name}（{o.code}）") for o in owners]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期")})
        return data


class ItemForm(forms.Form):
    code = forms.CharField(label=_("物品代码"), max_length=32)
    name = forms.CharField(label=_("物品名称"), max_length=100)
    contents = forms.CharField(label=_("内含物品"), max_length=300, required=False)
    unit_cost = forms.DecimalField(label=_("单价（元）"), min_value=0, max_digits=10, decimal_places=2)
    per_recipient_limit = forms.IntegerField(label=_("每人限领"), min_value=1, max_value=100, initial=1)


class AllotmentForm(forms.Form):
    item = forms.ChoiceField(label=_("物品"))
    org = forms.CharField(label=_("组织代码"), max_length=32)
    quantity = forms.IntegerField(label=_("配额数量"), min_value=0)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.code, i.name) for i in items]


class PointForm(forms.Form):
    org = forms.CharField(label=_("所属工会代码"), max_length=32)
    code = forms.CharField(label=_("发放点代码"), max_length=40)
    name = forms.CharField(label=_("发放点名称"), max_length=200)
    station_name = forms.CharField(label=_("驿站名称"), max_length=200, required=False)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)


class StockReceiveForm(forms.Form):
    point = forms.CharField(label=_("发放点代码"), max_length=40)
    item = forms.ChoiceField(label=_("物品"))
    quantity = forms.IntegerField(label=_("接收数量"), min_value=1)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.code, i.name) for i in items]


class StockTransferForm(forms.Form):
    item = forms.ChoiceField(label=_("物品"))
    from_point = forms.CharField(label=_("调出发放点"), max_length=40)
    to_point = forms.CharField(label=_("调入发放点"), max_length=40)
    quantity = forms.IntegerField(label=_("数量"), min_value=1)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.code, i.name) for i in items]


class VisitForm(forms.Form):
    org = forms.ChoiceField(label=_("组织慰问的工会"))
    visited_org = forms.CharField(label=_("被慰问单位（组织代码，可选）"), max_length=32, required=False)
    visited_unit = forms.CharField(label=_("被慰问单位/人员"), max_length=200, required=False)
    visitors = forms.CharField(label=_("慰问人员"), max_length=300)
    visited_at = forms.DateTimeField(label=_("慰问时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    people_count = forms.IntegerField(label=_("慰问人数"), min_value=0, initial=0)
    gifts = forms.CharField(label=_("慰问物品"), max_length=300, required=False)
    gift_value = forms.DecimalField(label=_("物品金额（元）"), min_value=0, max_digits=12, decimal_places=2,
                                    initial=0)
    notes = forms.CharField(label=_("情况记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.code, o.name) for o in orgs]


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处理说明"), max_length=300)
