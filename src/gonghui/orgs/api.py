"""API of organisations, members and the audit trail: thin views over services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gonghui.core.choices import READ_ROLES

from . import selectors, services
from .choices import MemberStatus, NewFormType, OrgStatus, OrgType
from .filtersets import AuditFilterSet, MemberFilterSet, OrganisationFilterSet
from .models import Member, Organisation

# ---------------------------------------------------------------- serializers


class OrganisationOutput(serializers.ModelSerializer):
    parent_code = serializers.SerializerMethodField()
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "short_name", "type", "type_display", "status", "status_display",
                  "uscc", "address", "founded_on", "parent_code", "depth", "numchild"]

    def get_parent_code(self, obj: Organisation) -> str | None:
        if obj.depth <= 1:
            return None
        parent_path = obj.path[: -Organisation.steplen]
        cache = self.context.setdefault("_parent_codes", {})
        if parent_path not in cache:
            cache[parent_path] = Organisation.objects.filter(path=parent_path).values_list("code", flat=True).first()
        return cache[parent_path]


class OrganisationInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=OrgType.choices)
    parent = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                   help_text="上级组织代码")
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    uscc = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=OrgStatus.choices, required=False, default=OrgStatus.ACTIVE)
    founded_on = serializers.DateField(required=False, allow_null=True, default=None)


class OrganisationUpdate(serializers.Serializer):
    code = serializers.CharField(max_length=32, required=False)
    name = serializers.CharField(max_length=200, required=False)
    type = serializers.ChoiceField(choices=OrgType.choices, required=False)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    uscc = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=OrgStatus.choices, required=False)
    founded_on = serializers.DateField(required=False, allow_null=True)


class MoveInput(serializers.Serializer):
    parent = serializers.CharField(max_length=32, help_text="新的上级组织代码")


class MemberOutput(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "name", "name_pinyin", "name_initials", "id_number", "phone", "gender", "birth_date",
                  "org", "org_code", "org_name", "employer", "trade", "joined_on", "status", "new_form_type",
                  "is_outdoor_worker", "card_no"]


class MemberInput(serializers.Serializer):
    org = serializers.CharField(max_length=32, help_text="所在基层工会的组织代码")
    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=40)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    trade = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)
    new_form_type = serializers.ChoiceField(choices=NewFormType.choices, required=False, default="")
    is_outdoor_worker = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False, default=MemberStatus.ACTIVE)


class MemberUpdate(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    id_number = serializers.CharField(max_length=40, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    trade = serializers.CharField(max_length=60, required=False, allow_blank=True)
    joined_on = serializers.DateField(required=False)
    new_form_type = serializers.ChoiceField(choices=NewFormType.choices, required=False)
    is_outdoor_worker = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False)


class TransferInput(serializers.Serializer):
    to = serializers.CharField(max_length=32, help_text="转入工会的组织代码")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RevealInput(serializers.Serializer):
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AuditOutput(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    action = serializers.CharField()
    org = serializers.IntegerField(source="org_id", allow_null=True)
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    target_repr = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


# ---------------------------------------------------------------- views


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """工会组织: list, detail, create, update, move and the tree."""

    serializer_class = OrganisationOutput
    filterset_class = OrganisationFilterSet

    def get_queryset(self):
        return selectors.org_list(actor=self.request.user)

    @extend_schema(request=OrganisationInput, responses={201: OrganisationOutput})
    def create(self, request):
        data = OrganisationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent_code = values.pop("parent", "")
        parent = selectors.org_by_code(actor=request.user, code=parent_code) if parent_code else None
        org = services.org_create(actor=request.user, parent=parent, **values)
        return Response(OrganisationOutput(org).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrganisationUpdate, responses=OrganisationOutput)
    def partial_update(self, request, pk=None):
        org = self.get_object()
        data = OrganisationUpdate(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        org = services.org_update(actor=request.user, org=org, **data.validated_data)
        return Response(OrganisationOutput(org).data)

    @extend_schema(request=OrganisationUpdate, responses=OrganisationOutput)
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    @extend_schema(request=MoveInput, responses=OrganisationOutput)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        org = self.get_object()
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        new_parent = selectors.org_by_code(actor=request.user, code=data.validated_data["parent"])
        org = services.org_move(actor=request.user, org=org, new_parent=new_parent)
        return Response(OrganisationOutput(org).data)

    @extend_schema(
        parameters=[OpenApiParameter("within", str, description="组织代码"),
                    OpenApiParameter("depth", int, description="层数（1–6，默认2）")],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def tree(self, request):
        within_code = request.query_params.get("within")
        within = selectors.org_by_code(actor=request.user, code=within_code) if within_code else None
        try:
            depth = max(1, min(6, int(request.query_params.get("depth", 2))))
        except ValueError:
            depth = 2
        return Response(selectors.org_tree(actor=request.user, within=within, depth=depth))


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会员: list with search, detail, create, update, transfer, reveal."""

    serializer_class = MemberOutput
    filterset_class = MemberFilterSet

    def get_queryset(self):
        return selectors.member_list(actor=self.request.user).order_by("name_pinyin", "id")

    @extend_schema(request=MemberInput, responses={201: MemberOutput})
    def create(self, request):
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org = selectors.org_by_code(actor=request.user, code=values.pop("org"))
        member = services.member_create(actor=request.user, org=org, **values)
        return Response(MemberOutput(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberUpdate, responses=MemberOutput)
    def partial_update(self, request, pk=None):
        member = self.get_object()
        data = MemberUpdate(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        member = services.member_update(actor=request.user, member=member, **data.validated_data)
        return Response(MemberOutput(member).data)

    @extend_schema(request=MemberUpdate, responses=MemberOutput)
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    @extend_schema(request=TransferInput, responses=MemberOutput)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        member = self.get_object()
        data = TransferInput(data=request.data)
        data.is_valid(raise_exception=True)
        to_org = selectors.org_by_code(actor=request.user, code=data.validated_data["to"])
        services.member_transfer(actor=request.user, member=member, to_org=to_org,
                                 reason=data.validated_data["reason"])
        member.refresh_from_db()
        return Response(MemberOutput(member).data)

    @extend_schema(request=RevealInput, responses={200: dict})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        member = self.get_object()
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.member_reveal(actor=request.user, member=member, **data.validated_data))


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """审计记录 of the caller's subtree."""

    serializer_class = AuditOutput
    filterset_class = AuditFilterSet
    read_roles = READ_ROLES

    def get_queryset(self):
        return selectors.audit_list(actor=self.request.user)
