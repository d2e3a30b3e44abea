"""Staff and member pages of the orgs app: thin views over the scoped selectors and the services."""

from __future__ import annotations

import functools
import re

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.choices import ADMIN_ROLES, READ_ROLES, WRITE_ROLES
from gonghui.core.errors import DomainError, NotFound, PermissionDeniedError
from gonghui.core.exports import xlsx_response
from gonghui.core.scope import has_any_role, has_role_on, scope_paths

from . import selectors, services
from .choices import MemberStatus, NewFormType, OrgType
from .filtersets import AuditFilterSet, MemberFilterSet
from .forms import MemberEditForm, MemberForm, MemberTransferForm, OrganisationForm, apply_service_error
from .models import Member, MemberTransfer, Organisation

MEMBERS_PER_PAGE = 20
AUDIT_PER_PAGE = 50
STEP = Organisation.steplen

# Chinese names of the audit action codes the orgs app writes; other apps' codes are shown as is.
ACTION_LABELS = {
    "org.create": gettext_lazy("新建组织"),
    "org.update": gettext_lazy("修改组织信息"),
    "org.move": gettext_lazy("调整上级组织"),
    "member.create": gettext_lazy("新增会员"),
    "member.update": gettext_lazy("修改会员信息"),
    "member.transfer": gettext_lazy("会员组织关系转接"),
    "member.reveal_pii": gettext_lazy("查看完整身份证号和手机号"),
    "role.grant": gettext_lazy("授予角色"),
    "user.create": gettext_lazy("创建账号"),
    "user.set_password": gettext_lazy("重设密码"),
}


# ---------------------------------------------------------------- helpers


def staff_required(view):
    """Login required, then a read role somewhere (else 403). Objects are still looked up scoped."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_any_role(request.user, READ_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _require_write(request, org: Organisation) -> None:
    if not has_role_on(request.user, org, WRITE_ROLES):
        raise PermissionDenied


def _raise_for(exc: DomainError) -> None:
    """Turn a refusal that is not the form's business into the matching HTTP answer."""
    if isinstance(exc, NotFound):
        raise Http404
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message)


def _is_fragment(request, target: str) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == target
        and not request.headers.get("HX-History-Restore-Request")
    )


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _children(org: Organisation):
    return Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")


def _ancestor_paths(org: Organisation) -> list[str]:
    return [org.path[: STEP * i] for i in range(1, org.depth)]


def _breadcrumbs(request, org: Organisation) -> list[dict]:
    ancestors = Organisation.objects.filter(path__in=_ancestor_paths(org)).order_by("depth")
    return [
        {"org": a, "link": has_role_on(request.user, a, READ_ROLES)}
        for a in ancestors.only("id", "name", "short_name", "path", "depth")
    ]


def _tree(request, org: Organisation) -> list[dict]:
    """The user's scope roots, expanded along the path to `org` (children of each node on that path).

    Two queries: the roots, then every child of every node on the path.
    """
    roots = list(selectors.org_roots(actor=request.user))
    on_path = [r for r in roots if org.path.startswith(r.path)]
    condition = Q()
    for root in on_path:
        for depth in range(root.depth, org.depth + 1):
            condition |= Q(path__startswith=org.path[: STEP * depth], depth=depth + 1)
    nodes = list(Organisation.objects.filter(condition).order_by("path")) if on_path else []
    by_path: dict[str, dict] = {}
    result = []
    for node in roots + nodes:
        item = {"org": node, "children": [], "open": org.path.startswith(node.path) and node.numchild > 0,
                "current": node.pk == org.pk}
        by_path[node.path] = item
        parent = by_path.get(node.path[:-STEP])
        if node in roots:
            result.append(item)
        elif parent is not None:
            parent["children"].append(item)
    return result


def _subtree_members(request, org: Organisation):
    return selectors.member_list(actor=request.user).filter(org__path__startswith=org.path)


def _trade_options(request, org: Organisation) -> list[str]:
    return list(
        _subtree_members(request, org).exclude(trade="").order_by("trade")
        .values_list("trade", flat=True).distinct()[:200]
    )


def _member_filter(request, org: Organisation) -> MemberFilterSet:
    data = request.GET.copy()
    data.pop("within", None)  # the page's organisation is the subtree
    return MemberFilterSet(data, queryset=_subtree_members(request, org).order_by("name_pinyin", "id"))


def _member_list_context(request, org: Organisation) -> dict:
    filterset = _member_filter(request, org)
    members = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    paginator = Paginator(members, MEMBERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    filtered = any(request.GET.get(k) for k in ("q", "trade", "new_form", "status", "outdoor"))
    can_write = has_role_on(request.user, org, WRITE_ROLES)
    return {
        "filterset": filterset,
        "members_page": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "ellipsis": Paginator.ELLIPSIS,
        "filtered": filtered,
        "list_query": _query_without(request, "page"),
        "export_query": _query_without(request, "page"),
        "can_write": can_write,
        "can_add_member": can_write and org.type in (OrgType.BASE, OrgType.JOINT),
    }


# ---------------------------------------------------------------- entry points


def home(request):
    """`/`: staff to their organisations, a worker to their member card, anyone else to login."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if has_any_role(request.user, READ_ROLES):
        return redirect("orgs:org-home")
    if getattr(request.user, "member", None) is not None:
        return redirect("my-card")
    return render(request, "orgs/no_role.html", status=403)


@login_required
def org_home(request):
    root = selectors.org_roots(actor=request.user).first() if has_any_role(request.user, READ_ROLES) else None
    if root is None:
        raise PermissionDenied
    return redirect("orgs:org-detail", pk=root.pk)


# ---------------------------------------------------------------- organisations


@staff_required
def org_detail(request, pk):
    org = selectors.org_get(actor=request.user, pk=pk)
    if _is_fragment(request, "member-list"):
        return render(request, "orgs/_member_list.html",
                      {"org": org, "fragment": True, **_member_list_context(request, org)})

    subtree_members = Member.objects.filter(org__path__startswith=org.path)
    active = Q(status=MemberStatus.ACTIVE)
    counts = subtree_members.aggregate(
        members=Count("id", filter=active),
        new_form=Count("id", filter=active & ~Q(new_form_type="")),
        outdoor=Count("id", filter=active & Q(is_outdoor_worker=True)),
        women=Count("id", filter=active & Q(gender="female")),
    )
    children = list(_children(org))
    # Members (in the register) of each child's whole subtree: one query grouped by path prefix.
    prefix_len = STEP * (org.depth + 1)
    per_child = dict(
        subtree_members.filter(active, org__depth__gt=org.depth)
        .annotate(prefix=Substr("org__path", 1, prefix_len))
        .values("prefix").annotate(n=Count("id")).values_list("prefix", "n")
    )
    descendants = Organisation.objects.filter(path__startswith=org.path, depth__gt=org.depth).count()
    trades = _trade_options(request, org)
    context = {
        "org": org,
        "tree": _tree(request, org),
        "breadcrumbs": _breadcrumbs(request, org),
        "counts": counts,
        "descendants": descendants,
        "children": [{"org": c, "members": per_child.get(c.path, 0)} for c in children],
        "trades": trades,
        "new_form_choices": [c for c in NewFormType.choices if c[0]],
        "status_choices": MemberStatus.choices,
        **_member_list_context(request, org),
    }
    return render(request, "orgs/org_detail.html", context)


@staff_required
def org_tree_children(request, pk):
    org = selectors.org_get(actor=request.user, pk=pk)
    current = request.GET.get("current", "")
    nodes = [
        {"org": c, "children": [], "open": False, "current": str(c.pk) == current}
        for c in _children(org)
    ]
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes})


@staff_required
def org_edit(request, pk):
    org = selectors.org_get(actor=request.user, pk=pk)
    _require_write(request, org)
    fields = list(OrganisationForm.base_fields)
    initial = {name: getattr(org, name) for name in fields}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        try:
            if changes:
                services.org_update(actor=request.user, org=org, **changes)
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError):
                _raise_for(exc)
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已保存{o}的信息").format(o=org.name) if changes else _("未作修改"))
            return redirect("orgs:org-detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {
        "form": form, "org": org, "parent": None, "breadcrumbs": _breadcrumbs(request, org),
        "title": _("编辑组织信息"),
    })


@staff_required
def org_create_child(request, pk):
    parent = selectors.org_get(actor=request.user, pk=pk)
    _require_write(request, parent)
    form = OrganisationForm(request.POST or None, initial={"type": OrgType.BASE})
    if request.method == "POST" and form.is_valid():
        try:
            child = services.org_create(actor=request.user, parent=parent, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError):
                _raise_for(exc)
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已在{p}下新建{o}").format(p=parent.name, o=child.name))
            return redirect("orgs:org-detail", pk=child.pk)
    return render(request, "orgs/org_form.html", {
        "form": form, "org": None, "parent": parent,
        "breadcrumbs": _breadcrumbs(request, parent) + [{"org": parent, "link": True}],
        "title": _("新建下级组织"),
    })


# ---------------------------------------------------------------- members


@staff_required
def member_export(request, pk):
    org = selectors.org_get(actor=request.user, pk=pk)
    filterset = _member_filter(request, org)
    if not filterset.is_valid():
        members = filterset.queryset.none()
    else:
        members = filterset.qs
    headers = [_("姓名"), _("性别"), _("出生日期"), _("身份证号码"), _("手机号码"), _("会员卡号"),
               _("所在工会"), _("组织代码"), _("工作单位"), _("工种"), _("新就业形态"), _("户外劳动者"),
               _("入会日期"), _("状态")]

    def rows():
        for m in members.iterator(chunk_size=2000):
            yield [m.name, m.get_gender_display(), m.birth_date, m.id_number_masked, m.phone_masked, m.card_no,
                   m.org.name, m.org.code, m.employer, m.trade, m.get_new_form_type_display() if m.new_form_type
                   else "", m.is_outdoor_worker, m.joined_on, m.get_status_display()]

    filename = _("{code}-会员名册-{d}.xlsx").format(code=org.code, d=timezone.localdate().strftime("%Y%m%d"))
    return xlsx_response(filename, headers, rows(), sheet=_("会员名册"),
                         widths=[10, 6, 12, 22, 14, 15, 30, 14, 30, 12, 14, 10, 12, 8], text_columns=(3, 4, 5))


@staff_required
def member_create_view(request, pk):
    org = selectors.org_get(actor=request.user, pk=pk)
    _require_write(request, org)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["new_form_type"] = data["new_form_type"] or ""
        try:
            member = services.member_create(actor=request.user, org=org, **data)
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError):
                _raise_for(exc)
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已添加会员{n}，会员卡号{c}").format(n=member.name, c=member.card_no))
            return redirect("orgs:member-detail", pk=member.pk)
    return render(request, "orgs/member_form.html", {
        "form": form, "org": org, "member": None, "title": _("添加会员"),
        "breadcrumbs": _breadcrumbs(request, org) + [{"org": org, "link": True}],
        "holds_members": org.type in (OrgType.BASE, OrgType.JOINT),
        "trade_options": _trade_options(request, org),
    })


@staff_required
def member_detail(request, pk):
    member = selectors.member_get(actor=request.user, pk=pk)
    transfers = list(
        MemberTransfer.objects.filter(member=member).select_related("from_org", "to_org", "actor")
    )
    events = list(
        selectors.audit_list(actor=request.user)
        .filter(target_type=Member._meta.label_lower, target_id=str(member.pk))[:20]
    )
    for e in events:
        e.label = ACTION_LABELS.get(e.action, e.action)
    return render(request, "orgs/member_detail.html", {
        "member": member, "org": member.org, "transfers": transfers, "events": events,
        "breadcrumbs": _breadcrumbs(request, member.org) + [{"org": member.org, "link": True}],
        "can_write": has_role_on(request.user, member.org, WRITE_ROLES),
        "can_reveal": has_role_on(request.user, member.org, ADMIN_ROLES),
    })


@staff_required
def member_edit(request, pk):
    member = selectors.member_get(actor=request.user, pk=pk)
    _require_write(request, member.org)
    fields = [f for f in MemberEditForm.base_fields if f not in ("id_number", "phone")]
    initial = {name: getattr(member, name) for name in fields}
    form = MemberEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in fields if data[k] != initial[k] and not (k == "joined_on" and not data[k])}
        changes["new_form_type"] = changes.get("new_form_type", member.new_form_type) or ""
        for secret in ("id_number", "phone"):
            if data[secret].strip():
                changes[secret] = data[secret]
        try:
            services.member_update(actor=request.user, member=member, **changes)
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError):
                _raise_for(exc)
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已保存会员{n}的信息").format(n=data["name"]))
            return redirect("orgs:member-detail", pk=member.pk)
    return render(request, "orgs/member_form.html", {
        "form": form, "org": member.org, "member": member, "title": _("编辑会员信息"),
        "breadcrumbs": _breadcrumbs(request, member.org) + [{"org": member.org, "link": True}],
        "holds_members": True,
        "trade_options": _trade_options(request, member.org),
    })


@staff_required
def member_transfer_view(request, pk):
    member = selectors.member_get(actor=request.user, pk=pk)
    _require_write(request, member.org)
    form = MemberTransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["to_code"].strip()
        try:
            to_org = selectors.org_by_code(actor=request.user, code=code)
        except Http404:
            form.add_error("to_code", _("未找到组织代码为{c}的工会，或该工会不在您的管辖范围内").format(c=code))
        else:
            try:
                services.member_transfer(actor=request.user, member=member, to_org=to_org,
                                         reason=form.cleaned_data["reason"])
            except (ValidationError, DomainError) as exc:
                if isinstance(exc, PermissionDeniedError):
                    form.add_error("to_code", exc.message)
                else:
                    apply_service_error(form, exc, field_map={"org": "to_code", "same_org": "to_code",
                                                              "not_found": "to_code"})
            else:
                messages.success(request, _("已将{n}的会员关系转入{o}").format(n=member.name, o=to_org.name))
                return redirect("orgs:member-detail", pk=member.pk)
    return render(request, "orgs/member_transfer.html", {
        "form": form, "member": member, "org": member.org,
        "breadcrumbs": _breadcrumbs(request, member.org) + [{"org": member.org, "link": True}],
    })


@require_POST
@staff_required
def member_reveal_view(request, pk):
    member = selectors.member_get(actor=request.user, pk=pk)
    try:
        values = services.member_reveal(actor=request.user, member=member,
                                        purpose=request.POST.get("purpose", ""))
    except DomainError as exc:
        _raise_for(exc)
        raise
    return render(request, "orgs/_reveal.html", {"member": member, "values": values})


def _qr_svg(member: Member, *, scale: int = 6) -> str:
    qr = segno.make(member.card_token, error="m")
    svg = qr.svg_inline(scale=scale, dark="#1f2329", light="#ffffff", border=2)
    # Let the card size the code: keep the viewBox, drop the fixed width and height.
    size = qr.symbol_size(scale=scale, border=2)[0]
    return re.sub(r'^<svg width="\d+" height="\d+"',
                  '<svg viewBox="0 0 {s} {s}" role="img" aria-label="{label}"'.format(
                      s=size, label=_("会员二维码")), svg, count=1)


def _card_context(member: Member) -> dict:
    from .member_sections import member_sections

    return {"member": member, "qr_svg": _qr_svg(member), "is_active": member.status == MemberStatus.ACTIVE,
            "sections": member_sections(member)}


@staff_required
def member_card(request, pk):
    member = selectors.member_get(actor=request.user, pk=pk)
    return render(request, "orgs/member_card.html", {**_card_context(member), "staff_view": True})


@staff_required
def member_qr(request, pk):
    member = selectors.member_get(actor=request.user, pk=pk)
    qr = segno.make(member.card_token, error="m")
    svg = qr.svg_inline(scale=8, dark="#000000", light="#ffffff", border=4)
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + svg.replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    response = HttpResponse(body, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_card(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404(_("您的账号没有关联会员信息"))
    return render(request, "orgs/member_card.html", {**_card_context(member), "staff_view": False})


# ---------------------------------------------------------------- audit trail


def _audit_filter(request) -> AuditFilterSet:
    return AuditFilterSet(request.GET, queryset=selectors.audit_list(actor=request.user).select_related("org"))


@staff_required
def audit_list_view(request):
    filterset = _audit_filter(request)
    events = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    paginator = Paginator(events, AUDIT_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for e in page.object_list:
        e.label = ACTION_LABELS.get(e.action, "")
    actions = sorted(set(selectors.audit_list(actor=request.user).values_list("action", flat=True).distinct()))
    return render(request, "orgs/audit_list.html", {
        "filterset": filterset, "events_page": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "ellipsis": Paginator.ELLIPSIS,
        "actions": [(a, ACTION_LABELS.get(a, "")) for a in actions],
        "list_query": _query_without(request, "page"),
        "scope_all": scope_paths(request.user, READ_ROLES) is None,
    })


@staff_required
def audit_export(request):
    filterset = _audit_filter(request)
    events = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    headers = [_("时间"), _("操作人"), _("操作代码"), _("操作"), _("组织代码"), _("组织"), _("对象类型"),
               _("对象ID"), _("对象"), _("变更前"), _("变更后")]

    def rows():
        import json

        for e in events.iterator(chunk_size=2000):
            yield [timezone.localtime(e.at), e.actor_name, e.action, ACTION_LABELS.get(e.action, ""),
                   e.org.code if e.org else "", e.org.name if e.org else "", e.target_type, e.target_id,
                   e.target_repr,
                   json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                   json.dumps(e.after, ensure_ascii=False) if e.after is not None else ""]

    filename = _("审计记录-{d}.xlsx").format(d=timezone.localdate().strftime("%Y%m%d"))
    return xlsx_response(filename, headers, rows(), sheet=_("审计记录"),
                         widths=[17, 14, 20, 20, 14, 28, 16, 10, 30, 50, 50])

