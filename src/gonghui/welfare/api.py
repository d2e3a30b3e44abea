"""API of welfare campaigns: the issuance contract (issue, sync, progress) and what the phone page needs."""

from __future__ import annotations

from django.db import OperationalError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gonghui.core.choices import READ_ROLES, WRITE_ROLES
from gonghui.core.errors import DomainError
from gonghui.orgs import selectors as org_selectors

from . import selectors, services
from .choices import CampaignStatus, CampaignType, TargetGroup
from .identity import mask_name, resolve_one
from .models import Campaign, Issuance

MAX_SYNC_RECORDS = 5000


class BusyError(DomainError):
    """The database stayed locked past its busy timeout (SQLite under heavy write load): retry later.
    Nothing was written; the phone page keeps the record queued and retries."""

    status = 503


def _busy() -> BusyError:
    return BusyError("busy", _("系统繁忙，请稍后重试（本条未入账，可再次提交，不会重复发放）"))


class CampaignOutput(serializers.ModelSerializer):
    owner_code = serializers.CharField(source="owner.code", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    heat_rule = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "name", "type", "type_display", "status", "owner_code", "owner_name", "starts_on",
                  "ends_on", "budget", "target_groups", "description", "heat_rule", "items"]

    def get_heat_rule(self, obj: Campaign) -> str | None:
        from .rules import heat_rule_text

        return heat_rule_text() if obj.is_summer else None

    def get_items(self, obj: Campaign) -> list[dict]:
        return [{"code": i.code, "name": i.name, "contents": i.contents, "unit_cost": str(i.unit_cost),
                 "per_recipient_limit": i.per_recipient_limit} for i in obj.items.all()]


class CampaignInput(serializers.Serializer):
    owner = serializers.CharField(max_length=32, help_text="主办工会组织代码")
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=CampaignType.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    target_groups = serializers.ListField(child=serializers.ChoiceField(choices=TargetGroup.choices),
                                          required=False, default=list)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=CampaignStatus.choices, required=False, default=CampaignStatus.ACTIVE)


class IssueInput(serializers.Serializer):
    recipient = serializers.DictField(help_text='{"card": token} | {"id_number": "…"} | {"phone": "…"}')
    item = serializers.CharField(max_length=32)
    point = serializers.CharField(max_length=40)
    idempotency_key = serializers.UUIDField()


class IssuanceOutput(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    point = serializers.CharField(source="point.code", read_only=True)
    point_name = serializers.CharField(source="point.name", read_only=True)
    recipient = serializers.SerializerMethodField()

    class Meta:
        model = Issuance
        fields = ["id", "campaign", "item", "item_name", "point", "point_name", "recipient", "seq",
                  "target_group", "issued_at", "recorded_at", "channel", "idempotency_key"]

    def get_recipient(self, obj: Issuance) -> str:
        return mask_name(obj.recipient_name)


class SyncRecord(serializers.Serializer):
    idempotency_key = serializers.CharField()
    recipient = serializers.DictField()
    item = serializers.CharField()
    issued_at = serializers.CharField()


class SyncInput(serializers.Serializer):
    point = serializers.CharField(max_length=40)
    records = serializers.ListField(child=serializers.JSONField(), allow_empty=True)


class LookupInput(serializers.Serializer):
    recipient = serializers.DictField()


class RegisterInput(serializers.Serializer):
    point = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    target_group = serializers.ChoiceField(choices=TargetGroup.choices, required=False, default=TargetGroup.OTHER)
    accept_membership = serializers.BooleanField(required=False, default=False)


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Campaigns visible to the caller; issuance, offline sync and progress of one campaign."""

    serializer_class = CampaignOutput
    issue_actions = ("issue", "sync", "lookup", "register")

    @property
    def read_roles(self):
        return tuple(dict.fromkeys(READ_ROLES + services.ISSUE_ROLES))

    @property
    def write_roles(self):
        return services.ISSUE_ROLES if getattr(self, "action", None) in self.issue_actions else WRITE_ROLES

    def get_queryset(self):
        qs = selectors.campaign_list(actor=self.request.user).prefetch_related("items")
        q = self.request.query_params.get("q")
        if q:
            qs = qs.filter(selectors.campaign_search_q(q))
        return qs

    def _campaign(self) -> Campaign:
        return selectors.campaign_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=CampaignInput, responses={201: CampaignOutput})
    def create(self, request):
        data = CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        owner = org_selectors.org_by_code(actor=request.user, code=values.pop("owner"))
        campaign = services.campaign_create(actor=request.user, owner=owner, **values)
        return Response(CampaignOutput(campaign).data, status=status.HTTP_201_CREATED)

    def _item(self, campaign: Campaign, code: str):
        item = campaign.items.filter(code=str(code).strip().upper()).first()
        if item is None:
            raise DomainError("unknown_item", _("本活动没有物品代码{c}").format(c=code))
        return item

    @extend_schema(request=IssueInput, responses={200: IssuanceOutput, 201: IssuanceOutput})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        data = IssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = self._campaign()
        v = data.validated_data
        point = selectors.point_for_issue(actor=request.user, campaign=campaign, code=v["point"])
        item = self._item(campaign, v["item"])
        try:
            issuance, created = services.issuance_create(
                actor=request.user, campaign=campaign, point=point, item=item, recipient=v["recipient"],
                idempotency_key=v["idempotency_key"])
        except OperationalError:
            raise _busy()
        body = IssuanceOutput(issuance).data
        body["received"] = selectors.received_by(campaign=campaign, recipient_key=issuance.recipient_key)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=SyncInput, responses={200: dict})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        data = SyncInput(data=request.data)
        data.is_valid(raise_exception=True)
        records = data.validated_data["records"]
        if len(records) > MAX_SYNC_RECORDS:
            raise DomainError("too_many_records",
                              _("一次最多同步{n}条记录，请分批同步").format(n=MAX_SYNC_RECORDS))
        campaign = self._campaign()
        point = selectors.point_for_issue(actor=request.user, campaign=campaign, code=data.validated_data["point"])
        try:
            results = services.sync_records(actor=request.user, campaign=campaign, point=point, records=records)
        except OperationalError:
            raise _busy()
        summary: dict[str, int] = {}
        for r in results:
            summary[r["status"]] = summary.get(r["status"], 0) + 1
        return Response({"point": point.code, "results": results, "summary": summary})

    @extend_schema(parameters=[OpenApiParameter("org", str, description="组织代码（默认主办工会）")],
                   responses={200: dict})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        campaign = self._campaign()
        return Response(selectors.progress(actor=request.user, campaign=campaign,
                                           org_code=request.query_params.get("org")))

    @extend_schema(request=LookupInput, responses={200: dict})
    @action(detail=True, methods=["post"])
    def lookup(self, request, pk=None):
        """Who a scanned card, phone or ID number names (masked) and what they already received."""
        data = LookupInput(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = self._campaign()
        who = resolve_one(data.validated_data["recipient"])
        return Response({"name": who.masked_name, "member": who.member_id is not None,
                         "target_group": who.target_group,
                         "received": selectors.received_by(campaign=campaign, recipient_key=who.key)})

    @extend_schema(request=RegisterInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Record a non-member recipient (and their acceptance of the membership offer)."""
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = self._campaign()
        v = dict(data.validated_data)
        point = selectors.point_for_issue(actor=request.user, campaign=campaign, code=v.pop("point"))
        recipient = services.recipient_register(actor=request.user, point=point, **v)
        return Response({"id": recipient.pk, "name": mask_name(recipient.name),
                         "id_number": recipient.id_number_masked,
                         "membership": "pending" if recipient.member_id else (
                             "requested" if v["accept_membership"] else "none")},
                        status=status.HTTP_201_CREATED)
