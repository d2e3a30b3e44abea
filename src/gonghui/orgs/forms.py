"""Forms of the orgs pages. They parse and label; the rules live in services (errors come back here)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import DomainError

from .choices import MemberStatus, NewFormType, OrgStatus, OrgType

__all__ = ["MemberEditForm", "MemberForm", "MemberTransferForm", "OrganisationForm", "apply_service_error"]


def _required(label: str) -> dict[str, str]:
    return {"required": format_lazy(_("请填写{label}"), label=label)}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationForm(forms.Form):
    code = forms.CharField(label=_("组织代码"), max_length=32, error_messages=_required(_("组织代码")),
                           help_text=_("在全市唯一，例如 SY-SZKG；创建后可供导入与接口引用"))
    name = forms.CharField(label=_("组织名称"), max_length=200, error_messages=_required(_("组织名称")))
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    type = forms.ChoiceField(label=_("组织类型"), choices=OrgType.choices)
    status = forms.ChoiceField(label=_("状态"), choices=OrgStatus.choices, initial=OrgStatus.ACTIVE)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False,
                           help_text=_("18位，工会法人资格证书上的代码，以81开头"))
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput(),
                                 error_messages={"invalid": _("请输入有效日期，例如 2024-07-01")})


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60, error_messages=_required(_("姓名")))
    id_number = forms.CharField(label=_("身份证号码"), max_length=40, error_messages=_required(_("身份证号码")),
                                help_text=_("18位居民身份证号码；性别与出生日期由号码自动得出"),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("手机号码"), max_length=20, error_messages=_required(_("手机号码")),
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    trade = forms.CharField(label=_("工种"), max_length=60, required=False,
                            widget=forms.TextInput(attrs={"list": "trade-options"}))
    joined_on = forms.DateField(label=_("入会日期"), required=False, widget=DateInput(),
                                help_text=_("留空为今天"),
                                error_messages={"invalid": _("请输入有效日期，例如 2024-07-01")})
    new_form_type = forms.ChoiceField(label=_("新就业形态"), choices=NewFormType.choices, required=False)
    is_outdoor_worker = forms.BooleanField(label=_("户外劳动者"), required=False)
    status = forms.ChoiceField(label=_("会员状态"), choices=MemberStatus.choices, initial=MemberStatus.ACTIVE)


class MemberEditForm(MemberForm):
    """Editing never shows the full ID number or phone: leave them blank to keep them."""

    id_number = forms.CharField(label=_("身份证号码"), max_length=40, required=False,
                                help_text=_("留空则不修改"), widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False, help_text=_("留空则不修改"),
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))


class MemberTransferForm(forms.Form):
    to_code = forms.CharField(label=_("转入工会的组织代码"), max_length=32,
                              error_messages=_required(_("转入工会的组织代码")),
                              help_text=_("基层工会或联合工会的组织代码，例如 SY-C2"))
    reason = forms.CharField(label=_("转接原因"), max_length=200, error_messages=_required(_("转接原因")),
                             widget=forms.Textarea(attrs={"rows": 3}))


# Codes of domain errors that belong to one field of a form.
_FIELD_OF_CODE = {"already_member": "id_number"}


def apply_service_error(form: forms.Form, exc: Exception, *, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError or DomainError on the form (per field where it names one)."""
    field_map = field_map or {}
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for key, messages in exc.message_dict.items():
                name = field_map.get(key, key)
                target = name if name in form.fields else None
                for message in messages:
                    form.add_error(target, message)
        else:
            for message in exc.messages:
                form.add_error(None, message)
    elif isinstance(exc, DomainError):
        name = field_map.get(exc.code, _FIELD_OF_CODE.get(exc.code))
        form.add_error(name if name in form.fields else None, exc.message)
    else:  # pragma: no cover - callers pass only the two kinds
        raise exc
