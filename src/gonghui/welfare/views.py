"""Pages of welfare campaigns: list, detail (items, quotas, points, stock, progress), the distributor's
phone page with its service worker, conflicts, care visits and exports."""

from __future__ import annotations

from pathlib import Path

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.choices import READ_ROLES, WRITE_ROLES
from gonghui.core.errors import DomainError
from gonghui.core.exports import xlsx_response
from gonghui.core.scope import has_role_on, scope_paths
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.models import Organisation

from . import selectors, services
from .choices import TargetGroup
from .forms import (
    AllotmentForm,
    CampaignForm,
    ItemForm,
    PointForm,
    ResolveForm,
    StockReceiveForm,
    StockTransferForm,
    VisitForm,
)
from .identity import mask_name
from .models import DistributionPoint
from .rules import heat_rule_text

ANY_ROLES = tuple(dict.fromkeys(READ_ROLES + services.ISSUE_ROLES))
STATIC_DIR = Path(__file__).parent / "static" / "welfare"


def _require_any_role(request) -> None:
    paths = scope_paths(request.user, ANY_ROLES)
    if paths is not None and not paths:
        raise PermissionDenied


def _campaign(request, pk):
    _require_any_role(request)
    return selectors.campaign_get(actor=request.user, pk=pk)


def _error_to_messages(request, exc: Exception, form=None) -> None:
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field, msgs in errors.items():
            if form is not None and field in form.fields:
                for m in msgs:
                    form.add_error(field, m)
            else:
                for m in msgs:
                    messages.error(request, m)
    elif isinstance(exc, DomainError):
        messages.error(request, exc.message)


def _org(code: str) -> Organisation:
    org = Organisation.objects.filter(code=code.strip()).first()
    if org is None:
        raise ValidationError({"org": [_("未找到组织代码{c}").format(c=code)]})
    return org


@login_required
def campaign_list_view(request):
    _require_any_role(request)
    qs = selectors.campaign_list(actor=request.user)
    q = request.GET.get("q", "")
    if q:
        qs = qs.filter(selectors.campaign_search_q(q))
    page = Paginator(qs.order_by("-starts_on", "-id"), 20).get_page(request.GET.get("page"))
    can_create = scope_paths(request.user, WRITE_ROLES) != []
    return render(request, "welfare/campaign_list.html", {"page": page, "q": q, "can_create": can_create})


@login_required
def campaign_export(request):
    _require_any_role(request)
    qs = selectors.campaign_list(actor=request.user)
    if request.GET.get("q"):
        qs = qs.filter(selectors.campaign_search_q(request.GET["q"]))
    rows = ((c.name, c.get_type_display(), c.owner.name, c.starts_on, c.ends_on, c.budget,
             "、".join(c.target_group_labels), c.get_status_display()) for c in qs)
    return xlsx_response("welfare-campaigns.xlsx", [_("活动名称"), _("类型"), _("主办工会"), _("开始日期"),
                                                    _("结束日期"), _("预算（元）"), _("慰问对象"), _("状态")], rows)


@login_required
def campaign_create_view(request):
    owners = list(org_selectors.org_list(actor=request.user, roles=WRITE_ROLES)
                  .exclude(type__in=["base", "joint"])[:500]) or list(
        org_selectors.org_list(actor=request.user, roles=WRITE_ROLES)[:500])
    if not owners:
        raise PermissionDenied
    form = CampaignForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = org_selectors.org_by_code(actor=request.user, code=data.pop("owner"))
        try:
            campaign = services.campaign_create(actor=request.user, owner=owner, **data)
        except (ValidationError, DomainError) as exc:
            _error_to_messages(request, exc, form)
        else:
            messages.success(request, _("已创建活动“{c}”").format(c=campaign.name))
            return redirect("welfare:campaign-detail", pk=campaign.pk)
    return render(request, "welfare/campaign_form.html", {"form": form})


def _progress_org(request, campaign) -> str | None:
    """Progress shown for the requested org, else the actor's own top node within the campaign."""
    code = request.GET.get("org")
    if code:
        return code
    paths = scope_paths(request.user, ANY_ROLES)
    if paths is None or any(campaign.owner.path.startswith(p) for p in paths):
        return None
    inside = sorted((p for p in paths if p.startswith(campaign.owner.path)), key=len)
    if inside:
        return Organisation.objects.filter(path=inside[0]).values_list("code", flat=True).first()
    return None


@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    progress = selectors.progress(actor=request.user, campaign=campaign, org_code=_progress_org(request, campaign))
    items = list(campaign.items.all())
    can_write_owner = has_role_on(request.user, campaign.owner, WRITE_ROLES)
    can_write_any = scope_paths(request.user, WRITE_ROLES) != []
    points = selectors.point_list(actor=request.user, campaign=campaign)
    can_issue = selectors.points_for_actor(actor=request.user, campaign=campaign).exists()
    conflicts_open = selectors.conflict_list(actor=request.user, campaign=campaign).filter(
        resolved_at__isnull=True).count()
    ctx = {
        "campaign": campaign, "progress": progress, "items": items,
        "heat_rule": heat_rule_text() if campaign.is_summer else "",
        "allotments": selectors.allotment_rows(actor=request.user, campaign=campaign)[:300],
        "points": points[:300], "stocks": selectors.stock_rows(actor=request.user, campaign=campaign)[:300],
        "can_write_owner": can_write_owner, "can_write_any": can_write_any, "can_issue": can_issue,
        "conflicts_open": conflicts_open,
        "item_form": ItemForm(), "allot_form": AllotmentForm(items=items), "point_form": PointForm(),
        "receive_form": StockReceiveForm(items=items), "transfer_form": StockTransferForm(items=items),
        "max_day": max([d["issued"] for d in progress["by_day"]] or [1]),
    }
    return render(request, "welfare/campaign_detail.html", ctx)


def _post_action(request, pk, form_class, handler, *, with_items=False):
    campaign = _campaign(request, pk)
    if request.method != "POST":
        return redirect("welfare:campaign-detail", pk=campaign.pk)
    kwargs = {"items": list(campaign.items.all())} if with_items else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            text = handler(campaign, form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            _error_to_messages(request, exc)
        else:
            messages.success(request, text)
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}：{e}" if label else e)
    return redirect("welfare:campaign-detail", pk=campaign.pk)


def _item(campaign, code):
    item = campaign.items.filter(code=code).first()
    if item is None:
        raise ValidationError({"item": [_("未知的物品")]})
    return item


def _point(request, campaign, code) -> DistributionPoint:
    point = selectors.point_list(actor=request.user, campaign=campaign).filter(code=code.strip().upper()).first()
    if point is None:
        raise ValidationError({"point": [_("未找到发放点{c}").format(c=code)]})
    return point


@login_required
def item_create_view(request, pk):
    def handle(campaign, data):
        item = services.item_create(actor=request.user, campaign=campaign, **data)
        return _("已添加物品“{i}”").format(i=item.name)
    return _post_action(request, pk, ItemForm, handle)


@login_required
def allotment_view(request, pk):
    def handle(campaign, data):
        a = services.allotment_set(actor=request.user, item=_item(campaign, data["item"]), org=_org(data["org"]),
                                   quantity=data["quantity"])
        return _("{o}的{i}配额为{q}份").format(o=a.org.name, i=a.item.name, q=a.quantity)
    return _post_action(request, pk, AllotmentForm, handle, with_items=True)


@login_required
def point_create_view(request, pk):
    def handle(campaign, data):
        org = _org(data.pop("org"))
        if not org.path.startswith(campaign.owner.path):
            raise ValidationError({"org": [_("{o}不在本活动的组织范围内").format(o=org.name)]})
        p = services.point_create(actor=request.user, org=org, **data)
        return _("已添加发放点“{p}”").format(p=p.name)
    return _post_action(request, pk, PointForm, handle)


@login_required
def stock_receive_view(request, pk):
    def handle(campaign, data):
        s = services.stock_receive(actor=request.user, point=_point(request, campaign, data["point"]),
                                   item=_item(campaign, data["item"]), quantity=data["quantity"])
        return _("{p}已接收{n}份，现有库存{a}份").format(p=s.point.name, n=data["quantity"], a=s.available)
    return _post_action(request, pk, StockReceiveForm, handle, with_items=True)


@login_required
def stock_transfer_view(request, pk):
    def handle(campaign, data):
        src, dst = services.stock_transfer(
            actor=request.user, item=_item(campaign, data["item"]),
            from_point=_point(request, campaign, data["from_point"]),
            to_point=_point(request, campaign, data["to_point"]), quantity=data["quantity"])
        return _("已从{a}调拨{n}份到{b}").format(a=src.point.name, n=data["quantity"], b=dst.point.name)
    return _post_action(request, pk, StockTransferForm, handle, with_items=True)


@login_required
def progress_export(request, pk):
    campaign = _campaign(request, pk)
    p = selectors.progress(actor=request.user, campaign=campaign, org_code=_progress_org(request, campaign))
    rows = [(p["org_name"], p["org"], _("合计"), p["allotted"], p["issued"], p["remaining"])]
    rows += [(p["org_name"], p["org"], i["name"], i["allotted"], i["issued"], i["remaining"]) for i in p["items"]]
    rows += [(c["name"], c["org"], _("下级合计"), c["allotted"], c["issued"], c["remaining"]) for c in p["children"]]
    rows += [(p["org_name"], p["org"], _("按对象：{g}").format(g=g["label"]), "", g["issued"], "")
             for g in p["by_target_group"]]
    rows += [(p["org_name"], p["org"], _("按日：{d}").format(d=d["date"]), "", d["issued"], "") for d in p["by_day"]]
    return xlsx_response(f"welfare-progress-{campaign.pk}-{p['org']}.xlsx",
                         [_("组织"), _("组织代码"), _("项目"), _("配额"), _("已发放"), _("剩余")], rows)


def _issuance_qs(request, campaign):
    qs = selectors.issuance_list(actor=request.user, campaign=campaign)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(recipient_name__icontains=q) | Q(point__name__icontains=q) | Q(point__code__iexact=q)
                       | Q(item__code__iexact=q))
    if request.GET.get("point"):
        qs = qs.filter(point__code=request.GET["point"].strip().upper())
    return qs


@login_required
def issuance_list_view(request, pk):
    campaign = _campaign(request, pk)
    page = Paginator(_issuance_qs(request, campaign).order_by("-issued_at", "-id"), 50).get_page(
        request.GET.get("page"))
    return render(request, "welfare/issuance_list.html", {"campaign": campaign, "page": page,
                                                           "q": request.GET.get("q", "")})


@login_required
def issuance_export(request, pk):
    campaign = _campaign(request, pk)
    labels = dict(TargetGroup.choices)
    rows = ((timezone.localtime(i.issued_at), i.point.code, i.point.name, i.item.code, i.item.name,
             mask_name(i.recipient_name), str(labels.get(i.target_group, "")), i.seq,
             i.get_channel_display(), i.distributor.username if i.distributor else "")
            for i in _issuance_qs(request, campaign).order_by("issued_at", "id").iterator(chunk_size=2000))
    return xlsx_response(f"welfare-issuances-{campaign.pk}.xlsx",
                         [_("发放时间"), _("发放点代码"), _("发放点"), _("物品代码"), _("物品"), _("领取人"),
                          _("慰问对象"), _("第几份"), _("方式"), _("发放员")], rows)


@login_required
def distribute(request, pk):
    """The distributor's phone page: scan or look up, one tap issues; works offline."""
    campaign = _campaign(request, pk)
    points = list(selectors.points_for_actor(actor=request.user, campaign=campaign))
    if not points:
        raise PermissionDenied
    return render(request, "welfare/distribute.html", {
        "campaign": campaign, "points": points, "items": list(campaign.items.all()),
        "heat_rule": heat_rule_text() if campaign.is_summer else "",
        "target_groups": TargetGroup.choices,
    })


def service_worker(request):
    """The offline shell's service worker, served under /welfare/ so its scope covers the pages."""
    response = HttpResponse((STATIC_DIR / "sw.js").read_text(encoding="utf-8"),
                            content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/welfare/"
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def conflict_list_view(request, pk):
    campaign = _campaign(request, pk)
    qs = selectors.conflict_list(actor=request.user, campaign=campaign)
    if request.GET.get("open") != "0":
        qs = qs.filter(resolved_at__isnull=True)
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "welfare/conflict_list.html", {"campaign": campaign, "page": page,
                                                           "form": ResolveForm()})


@login_required
@require_POST
def conflict_resolve_view(request, pk, cid):
    campaign = _campaign(request, pk)
    conflict = selectors.conflict_list(actor=request.user, campaign=campaign).filter(pk=cid).first()
    if conflict is None:
        raise Http404
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_resolve(actor=request.user, conflict=conflict, resolution=form.cleaned_data["resolution"])
            messages.success(request, _("已记录处理结果"))
        except (ValidationError, DomainError) as exc:
            _error_to_messages(request, exc)
    else:
        messages.error(request, _("请填写处理说明"))
    return redirect("welfare:conflict-list", pk=campaign.pk)


@login_required
def visit_list_view(request, pk):
    campaign = _campaign(request, pk)
    page = Paginator(selectors.visit_list(actor=request.user, campaign=campaign), 20).get_page(
        request.GET.get("page"))
    can_add = scope_paths(request.user, WRITE_ROLES) != []
    return render(request, "welfare/visit_list.html", {"campaign": campaign, "page": page, "can_add": can_add})


@login_required
def visit_create_view(request, pk):
    campaign = _campaign(request, pk)
    orgs = [o for o in org_selectors.org_list(actor=request.user, roles=WRITE_ROLES)[:500]
            if o.path.startswith(campaign.owner.path) or campaign.owner.path.startswith(o.path)]
    if not orgs:
        raise PermissionDenied
    form = VisitForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = []
        try:
            for f in request.FILES.getlist("photos")[:12]:
                photos.append(djforms.ImageField().clean(f))
            org = org_selectors.org_by_code(actor=request.user, code=data.pop("org"))
            code = data.pop("visited_org")
            visited_org = _org(code) if code else None
            visit = services.care_visit_create(actor=request.user, campaign=campaign, org=org,
                                               visited_org=visited_org, photos=photos, **data)
        except (ValidationError, DomainError) as exc:
            _error_to_messages(request, exc, form)
        else:
            messages.success(request, _("已登记走访慰问：{u}").format(u=visit.visited_unit))
            return redirect("welfare:visit-list", pk=campaign.pk)
    return render(request, "welfare/visit_form.html", {"campaign": campaign, "form": form})
