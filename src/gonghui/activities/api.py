"""API of activities: list/detail/create/update, sign-ups (with waitlist) and check-in. Thin views.

Contract:
- GET/POST /api/v1/activities/, GET/PATCH/PUT /api/v1/activities/{id}/ (scoped to the caller's subtree)
- GET /api/v1/activities/{id}/signups/ (queue order); POST {"member": id} or {"card": token}
  → 201 {"status": "confirmed" | "waitlisted", "waitlist_position", ...}. A full activity is not an
  error: the member is waitlisted. Refusals: already_signed_up 409, closed 409, not_open 409,
  not_eligible 400, unknown_card 400; a member id outside the caller's scope 404.
- DELETE /api/v1/activities/{id}/signups/{signup_id}/ (or POST …/cancel/) → 200 with the cancelled
  sign-up; the freed place goes to the first on the waitlist.
- POST /api/v1/activities/{id}/checkin/ {"card": token or 12-digit card number} → 200 with the sign-up;
  refusals not_signed_up / waitlisted / already_checked_in / checkin_not_open 409, unknown_card 400.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gonghui.core.errors import DomainError
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.models import Organisation
from gonghui.orgs.selectors import member_by_card_token

from . import selectors, services
from .choices import ActivityKind, ActivityStatus, AudienceType
from .filtersets import ActivityFilterSet
from .models import Activity, Signup

# ---------------------------------------------------------------- serializers


class ActivityOutput(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    co_orgs = serializers.SerializerMethodField()
    co_organisers = serializers.ListField(source="co_organiser_list", child=serializers.CharField())
    audience_org_code = serializers.CharField(source="audience_org.code", read_only=True, default=None)
    audience_units = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    confirmed_count = serializers.IntegerField(read_only=True, default=0)
    waitlist_count = serializers.IntegerField(read_only=True, default=0)
    attended_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Activity
        fields = ["id", "org", "org_code", "org_name", "co_orgs", "co_organisers", "theme", "kind", "kind_display",
                  "description", "place", "starts_at", "ends_at", "capacity", "audience_type", "audience_org_code",
                  "audience_units", "signup_opens_at", "signup_closes_at", "cost", "budget_line", "status",
                  "status_display", "confirmed_count", "waitlist_count", "attended_count", "report_text",
                  "created_at", "updated_at"]

    def get_co_orgs(self, obj: Activity) -> list[str]:
        return [o.code for o in obj.co_orgs.all()]

    def get_audience_units(self, obj: Activity) -> list[str]:
        return [o.code for o in obj.audience_units.all()]


class ActivityInput(serializers.Serializer):
    org = serializers.CharField(max_length=32, help_text="主办工会的组织代码")
    theme = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    place = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    audience_type = serializers.ChoiceField(choices=AudienceType.choices, required=False,
                                            default=AudienceType.SUBTREE)
    audience_org = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                         help_text="面向组织代码（留空为主办工会）")
    audience_units = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    co_orgs = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    co_organisers = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    signup_opens_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    signup_closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=0)
    budget_line = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=[ActivityStatus.DRAFT, ActivityStatus.PUBLISHED], required=False,
                                     default=ActivityStatus.DRAFT)


class ActivityUpdate(serializers.Serializer):
    theme = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=ActivityKind.choices, required=False)
    place = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    audience_type = serializers.ChoiceField(choices=AudienceType.choices, required=False)
    audience_org = serializers.CharField(max_length=32, required=False, allow_blank=True)
    audience_units = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    co_orgs = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    co_organisers = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    signup_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    signup_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    budget_line = serializers.CharField(max_length=100, required=False, allow_blank=True)
    report_text = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ActivityStatus.choices, required=False)


class SignupOutput(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    card_no = serializers.CharField(source="member.card_no", read_only=True)
    org_name = serializers.CharField(source="member.org.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = Signup
        fields = ["id", "activity", "member", "member_name", "card_no", "org_name", "status", "status_display",
                  "seq", "waitlist_position", "source", "requested_at", "confirmed_at", "promoted_at",
                  "cancelled_at", "checked_in_at", "checkin_method"]

    def get_waitlist_position(self, obj: Signup) -> int | None:
        if obj.status != "waitlisted":
            return None
        position = getattr(obj, "waitlist_position", None)
        if position is None:
            position = Signup.objects.filter(activity_id=obj.activity_id, status="waitlisted",
                                             seq__lte=obj.seq).count()
        return position


class SignupInput(serializers.Serializer):
    member = serializers.IntegerField(required=False, help_text="会员ID")
    card = serializers.CharField(required=False, allow_blank=True, help_text="会员码（二维码内容）")


class CheckinInput(serializers.Serializer):
    card = serializers.CharField(help_text="会员码（二维码内容）或12位会员卡号")


def _orgs(actor, codes: list[str]) -> list[Organisation]:
    return [org_selectors.org_by_code(actor=actor, code=c) for c in codes if c.strip()]


# ---------------------------------------------------------------- views


class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """活动: list, detail, create, update; sign-ups with waitlist; check-in by member card."""

    serializer_class = ActivityOutput
    filterset_class = ActivityFilterSet

    def get_queryset(self):
        return selectors.activity_list(actor=self.request.user).prefetch_related("co_orgs", "audience_units")

    @extend_schema(request=ActivityInput, responses={201: ActivityOutput})
    def create(self, request):
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        user = request.user
        org = org_selectors.org_by_code(actor=user, code=v.pop("org"))
        audience_code = v.pop("audience_org")
        activity = services.activity_create(
            actor=user, org=org,
            audience_org=org_selectors.org_by_code(actor=user, code=audience_code) if audience_code else None,
            audience_units=_orgs(user, v.pop("audience_units")), co_orgs=_orgs(user, v.pop("co_orgs")),
            co_organisers="\n".join(v.pop("co_organisers")), **v,
        )
        return Response(ActivityOutput(self.get_queryset().get(pk=activity.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityUpdate, responses=ActivityOutput)
    def partial_update(self, request, pk=None):
        activity = self.get_object()
        data = ActivityUpdate(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        user = request.user
        new_status = v.pop("status", None)
        report = v.pop("report_text", None)
        extra = {}
        if "audience_units" in v:
            extra["audience_units"] = _orgs(user, v.pop("audience_units"))
        if "co_orgs" in v:
            extra["co_orgs"] = _orgs(user, v.pop("co_orgs"))
        if "co_organisers" in v:
            v["co_organisers"] = "\n".join(v["co_organisers"])
        if "audience_org" in v:
            code = v.pop("audience_org")
            v["audience_org"] = org_selectors.org_by_code(actor=user, code=code) if code else None
        if v or extra:
            activity = services.activity_update(actor=user, activity=activity, **v, **extra)
        if report is not None:
            activity = services.activity_report_update(actor=user, activity=activity, report_text=report)
        if new_status and new_status != activity.status:
            activity = services.activity_set_status(actor=user, activity=activity, status=new_status)
        return Response(ActivityOutput(self.get_queryset().get(pk=activity.pk)).data)

    @extend_schema(request=ActivityUpdate, responses=ActivityOutput)
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    @extend_schema(methods=["GET"], responses=SignupOutput(many=True))
    @extend_schema(methods=["POST"], request=SignupInput, responses={201: SignupOutput})
    @action(detail=True, methods=["get", "post"])
    def signups(self, request, pk=None):
        activity = self.get_object()
        if request.method == "GET":
            qs = selectors.signup_list(activity=activity, status=request.query_params.get("status") or None)
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(SignupOutput(page, many=True).data)
        data = SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("member"):
            member = org_selectors.member_get(actor=request.user, pk=data.validated_data["member"])
        elif data.validated_data.get("card"):
            member = member_by_card_token(token=data.validated_data["card"])
            if member is None:
                raise DomainError("unknown_card", _("无法识别的会员码，请让会员刷新会员码后重试"))
        else:
            raise DomainError("invalid", _("请提供会员ID或会员码"))
        signup = services.signup_create(actor=request.user, activity=activity, member=member)
        signup = selectors.signup_get(activity=activity, pk=signup.pk)
        return Response(SignupOutput(signup).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SignupOutput)
    @action(detail=True, methods=["delete"], url_path=r"signups/(?P<signup_id>\d+)")
    def signup_delete(self, request, pk=None, signup_id=None):
        activity = self.get_object()
        signup = selectors.signup_get(activity=activity, pk=signup_id)
        signup = services.signup_cancel(actor=request.user, signup=signup)
        return Response(SignupOutput(selectors.signup_get(activity=activity, pk=signup.pk)).data)

    @extend_schema(request=None, responses=SignupOutput)
    @action(detail=True, methods=["post"], url_path=r"signups/(?P<signup_id>\d+)/cancel")
    def signup_cancel(self, request, pk=None, signup_id=None):
        return self.signup_delete(request, pk=pk, signup_id=signup_id)

    @extend_schema(request=CheckinInput, responses=SignupOutput)
    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        activity = self.get_object()
        data = CheckinInput(data=request.data)
        data.is_valid(raise_exception=True)
        signup = services.attendance_checkin(actor=request.user, activity=activity, card=data.validated_data["card"])
        return Response(SignupOutput(selectors.signup_get(activity=activity, pk=signup.pk)).data)
