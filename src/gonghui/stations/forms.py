"""Forms of the station pages; the services validate again (forms only shape input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .choices import CHECKLIST, Amenity, HostKind, StationStatus

CRS_CHOICES = [("wgs84", _("WGS-84（GPS）")), ("gcj02", _("GCJ-02（高德/腾讯）")), ("bd09", _("BD-09（百度）"))]


class StationForm(forms.Form):
    org = forms.CharField(label=_("主管工会组织代码"), max_length=32)
    code = forms.CharField(label=_("驿站编号"), max_length=40, required=False, help_text=_("留空自动生成"))
    name = forms.CharField(label=_("驿站名称"), max_length=120)
    host_kind = forms.ChoiceField(label=_("承建方类型"), choices=HostKind.choices)
    host_name = forms.CharField(label=_("承建方名称"), max_length=200, required=False)
    address = forms.CharField(label=_("地址"), max_length=300)
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial="wgs84")
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    amenities = forms.MultipleChoiceField(label=_("服务设施"), choices=Amenity.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    hours_text = forms.CharField(label=_("营业时间"), max_length=300, initial="24小时",
                                 help_text=_("例如：周一至周五 08:00-20:00; 周六、周日 09:00-18:00；或 24小时"))
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=0, initial=0)
    keeper = forms.CharField(label=_("驿站管理员用户名"), max_length=150, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=StationStatus.choices, initial=StationStatus.OPEN)
    photo = forms.FileField(label=_("照片"), required=False)

    def clean_hours_text(self):
        value = self.cleaned_data["hours_text"]
        try:
            rules.parse_weekly(value)
        except rules.HoursError as exc:
            raise forms.ValidationError(str(exc))
        return value

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("照片不能超过5MB"))
        return photo


for _field, _label in CHECKLIST.items():
    StationForm.base_fields[_field] = forms.BooleanField(label=_label, required=False)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}))
    stars = forms.TypedChoiceField(label=_("星级"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)])
    notes = forms.CharField(label=_("检查意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("现场照片"), required=False)


for _field, _label in CHECKLIST.items():
    InspectionForm.base_fields[_field] = forms.BooleanField(label=_label, required=False)


class HoursForm(forms.Form):
    hours_text = forms.CharField(label=_("每周营业时间"), max_length=300)


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    hours_text = forms.CharField(label=_("当日营业时段"), max_length=100, required=False,
                                 help_text=_("留空表示全天闭站，例如 10:00-16:00"))
    reason = forms.CharField(label=_("原因"), max_length=100, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("驿站登记表（.xlsx）"))
