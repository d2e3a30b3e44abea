"""API of the studios app: studios, alliances, topics (with their transitions) and achievements."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gonghui.core.choices import Role
from gonghui.core.permissions import ScopedPermission
from gonghui.orgs.models import Member

from . import rules, selectors, services
from .choices import WorkArea
from .filtersets import AchievementFilterSet, AllianceFilterSet, StudioFilterSet, TopicFilterSet
from .models import Achievement, Alliance, Studio, Topic

ALL_ROLES = tuple(Role)


class StudiosPermission(ScopedPermission):
    """Logged-in users with any role, or studio people (a login linked to a member); objects are
    scoped by the selectors and writes decided by the services."""

    def has_permission(self, request, view) -> bool:
        if super().has_permission(request, view):
            return True
        return bool(request.user and request.user.is_authenticated
                    and services.actor_member(request.user) is not None)


# ---------------------------------------------------------------- serializers


class StudioOutput(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.name")
    leader = serializers.CharField(source="leader.name")
    leader_honour_label = serializers.CharField(source="get_leader_honour_display")
    level_label = serializers.CharField(source="get_level_display")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Studio
        fields = ["id", "name", "org", "org_name", "leader", "leader_honour", "leader_honour_label", "leader_title",
                  "level", "level_label", "recognized_on", "specialties", "venue", "equipment", "funding",
                  "status", "status_label"]


class AllianceOutput(serializers.ModelSerializer):
    host_org = serializers.CharField(source="host_org.code")
    host_org_name = serializers.CharField(source="host_org.name")
    lead_studio = serializers.CharField(source="lead_studio.name", default=None)
    type_label = serializers.CharField(source="get_type_display")
    member_count = serializers.SerializerMethodField()
    charter_version = serializers.SerializerMethodField()

    class Meta:
        model = Alliance
        fields = ["id", "name", "type", "type_label", "host_org", "host_org_name", "lead_studio", "founded_on",
                  "required_reviews", "approval_line", "expected_joint_projects", "member_count",
                  "charter_version"]

    def get_member_count(self, obj) -> int:
        return obj.memberships.filter(left_on__isnull=True).count()

    def get_charter_version(self, obj) -> int | None:
        charter = obj.charters.order_by("-version").first()
        return charter.version if charter else None


class TeamOutput(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.name")
    studio = serializers.IntegerField(source="studio_id")
    studio_name = serializers.CharField(source="studio.name")
    role = serializers.CharField()


class TopicOutput(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    work_area_label = serializers.CharField(source="get_work_area_display")
    studio_name = serializers.CharField(source="studio.name")
    alliance_name = serializers.CharField(source="alliance.name", default=None)
    review_count = serializers.SerializerMethodField()
    average_score = serializers.SerializerMethodField()
    team = TeamOutput(many=True, read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "title", "status", "status_label", "work_area", "work_area_label", "alliance",
                  "alliance_name", "studio", "studio_name", "plan", "budget", "approved_budget", "starts_on",
                  "ends_on", "submitted_at", "decided_at", "closed_at", "review_count", "average_score", "team"]

    def get_review_count(self, obj) -> int:
        return obj.reviews.count()

    def get_average_score(self, obj) -> str | None:
        avg = rules.average_score(obj.reviews.values_list("score", flat=True))
        return None if avg is None else str(avg)


class TeamInput(serializers.Serializer):
    member = serializers.IntegerField()
    studio = serializers.IntegerField()
    role = serializers.CharField(required=False, allow_blank=True, default="")


class TopicInput(serializers.Serializer):
    studio = serializers.IntegerField()
    alliance = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    work_area = serializers.ChoiceField(choices=WorkArea.choices)
    plan = serializers.CharField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    team = TeamInput(many=True, required=False)


class ReviewInput(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    comment = serializers.CharField()
    topic = TopicOutput()


class ApproveInput(serializers.Serializer):
    approved_budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                               allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    attachment = serializers.FileField(required=False, allow_null=True)


class AchievementOutput(serializers.ModelSerializer):
    studio_name = serializers.CharField(source="studio.name")
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Achievement
        fields = ["id", "kind", "kind_label", "title", "achieved_on", "studio", "studio_name", "alliance", "topic",
                  "patent_number", "patent_type", "description", "yuan_saved", "hours_saved"]


# ---------------------------------------------------------------- views


class StudioViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """职工创新工作室 registry."""

    serializer_class = StudioOutput
    filterset_class = StudioFilterSet
    permission_classes = [StudiosPermission]
    read_roles = ALL_ROLES

    def get_queryset(self):
        return selectors.studio_list(actor=self.request.user).order_by("name_pinyin", "id")


class AllianceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """创新工作室联盟."""

    serializer_class = AllianceOutput
    filterset_class = AllianceFilterSet
    permission_classes = [StudiosPermission]
    read_roles = ALL_ROLES

    def get_queryset(self):
        return selectors.alliance_list(actor=self.request.user).order_by("name_pinyin", "id")


def _topic_action(name: str, request_serializer):
    def view(self, request, pk=None):
        topic = self.get_object()
        data = request_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fn = getattr(services, f"topic_{name}")
        fn(actor=request.user, topic=topic, **dict(data.validated_data))
        return Response(TopicOutput(self.get_queryset().get(pk=topic.pk)).data)

    view.__name__ = name
    view.__doc__ = f"POST /topics/{{id}}/{name}/ — 409 invalid_transition when not allowed from the current state."
    view = action(detail=True, methods=["post"], url_path=name)(view)
    return extend_schema(request=request_serializer, responses=TopicOutput, operation_id=f"topics_{name}")(view)


class EmptyInput(serializers.Serializer):
    pass


class TopicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """课题: application, review, approval, mid-term, acceptance. `?status=<state>` filters."""

    serializer_class = TopicOutput
    filterset_class = TopicFilterSet
    permission_classes = [StudiosPermission]
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES

    def get_queryset(self):
        return selectors.topic_list(actor=self.request.user).prefetch_related(
            "team__member", "team__studio").order_by("-created_at", "-id")

    @extend_schema(request=TopicInput, responses={201: TopicOutput})
    def create(self, request):
        data = TopicInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        studio = selectors.studio_get(actor=request.user, pk=values.pop("studio"))
        alliance_id = values.pop("alliance", None)
        alliance = selectors.alliance_get(actor=request.user, pk=alliance_id) if alliance_id else None
        team = []
        for row in values.pop("team", []):
            member = get_object_or_404(Member, pk=row["member"])
            team_studio = get_object_or_404(Studio, pk=row["studio"])
            team.append((member, team_studio, row["role"]))
        topic = services.topic_create(actor=request.user, studio=studio, alliance=alliance, team=team, **values)
        return Response(TopicOutput(topic).data, status=status.HTTP_201_CREATED)

    submit = _topic_action("submit", EmptyInput)
    approve = _topic_action("approve", ApproveInput)
    reject = _topic_action("reject", NoteInput)
    midterm = _topic_action("midterm", NoteInput)
    accept = _topic_action("accept", NoteInput)
    fail = _topic_action("fail", NoteInput)

    @extend_schema(request=ReviewInput, responses={201: ReviewOutput})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        topic = self.get_object()
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.topic_review(actor=request.user, topic=topic, score=data.validated_data["score"],
                                       comment=data.validated_data["comment"])
        return Response({"id": review.pk, "score": str(review.score), "comment": review.comment,
                         "topic": TopicOutput(self.get_queryset().get(pk=topic.pk)).data},
                        status=status.HTTP_201_CREATED)


class AchievementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """成果 catalogue shared across alliances."""

    serializer_class = AchievementOutput
    filterset_class = AchievementFilterSet
    permission_classes = [StudiosPermission]
    read_roles = ALL_ROLES

    @extend_schema(parameters=[OpenApiParameter("q", str, description="名称、拼音或专利号")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.achievement_list(actor=self.request.user).order_by("-achieved_on", "-id")
