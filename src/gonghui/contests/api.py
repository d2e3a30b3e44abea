"""API of skills competitions: thin views over services and selectors (contract in issue 5)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gonghui.core.choices import READ_ROLES, WRITE_ROLES, Role
from gonghui.core.scope import has_role_on
from gonghui.orgs import selectors as org_selectors

from . import rules, selectors, services
from .choices import Aggregation, CriterionKind, JudgeRole, RecusalScope
from .models import Contest, Criterion


class PartInput(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    weight = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=30, required=False, allow_blank=True)
    pass_mark = serializers.CharField(max_length=10, required=False, allow_blank=True)


class ContestInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    org = serializers.CharField(max_length=32, help_text="主办工会组织代码")
    parts = PartInput(many=True, required=False)
    pass_mark = serializers.CharField(max_length=10, required=False, default="60")
    require_pass_for_prize = serializers.BooleanField(required=False, default=False)
    prizes = serializers.DictField(required=False)
    tie_break = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    trade = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    aggregation = serializers.ChoiceField(choices=Aggregation.choices, required=False, default=Aggregation.MEAN)
    promotion_rules = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    recusal_scope = serializers.ChoiceField(choices=RecusalScope.choices, required=False,
                                            default=RecusalScope.EMPLOYER)
    blind_layers = serializers.ChoiceField(choices=[1, 2], required=False, default=1)
    registration_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    held_on = serializers.DateField(required=False, allow_null=True, default=None)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ContestOutput(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code")
    pass_mark = serializers.SerializerMethodField()
    prizes = serializers.JSONField(source="prize_scheme")
    contestant_count = serializers.SerializerMethodField()

    class Meta:
        model = Contest
        fields = ["id", "name", "org", "trade", "status", "parts", "pass_mark", "require_pass_for_prize", "prizes",
                  "tie_break", "aggregation", "promotion_rules", "recusal_scope", "blind_layers",
                  "registration_deadline", "held_on", "venue", "locked_at", "published_at", "contestant_count"]

    def get_pass_mark(self, obj) -> str:
        return rules.format_total(obj.pass_mark)

    def get_contestant_count(self, obj) -> int:
        return obj.contestants.count()


class ContestantInput(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    member = serializers.IntegerField(required=False, allow_null=True, default=None)


class ContestantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    employer = serializers.CharField()
    member = serializers.IntegerField(source="member_id", allow_null=True)
    status = serializers.CharField()
    blind_number = serializers.CharField()
    station_number = serializers.CharField()


class ScoreInput(serializers.Serializer):
    contestant = serializers.IntegerField()
    part = serializers.CharField(max_length=30)
    score = serializers.CharField(max_length=12)
    time_seconds = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)


class MarkInput(serializers.Serializer):
    contestant = serializers.IntegerField()
    criterion = serializers.CharField(max_length=20, help_text="评分项编号")
    mark = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    deviation = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class CriterionInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200)
    max_mark = serializers.CharField(max_length=10)
    kind = serializers.ChoiceField(choices=CriterionKind.choices, default=CriterionKind.JUDGEMENT)
    part = serializers.CharField(max_length=30, default="practical")
    tolerance = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    zero_at = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class JudgeInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=JudgeRole.choices, default=JudgeRole.JUDGE)
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    employer_org = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class AppealInput(serializers.Serializer):
    contestant = serializers.IntegerField()
    part = serializers.CharField(max_length=30, required=False, default="")
    criterion = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    judge = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    score = serializers.CharField(max_length=12)
    reason = serializers.CharField()


class PublishInput(serializers.Serializer):
    notice_days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


def _result_row(r: dict) -> dict:
    return {"contestant": r["contestant"], "name": r["name"], "total": rules.format_total(r["total"]),
            "rank": r["rank"], "prize": r["prize"], "passed": r["passed"], "employer": r["employer"],
            "title": r["title"], "promotion": r["promotion"], "blind_number": r["blind_number"],
            "parts": {k: rules.format_total(v) for k, v in r["parts"].items()},
            "passed_parts": r["passed_parts"], "time_seconds": r["time_seconds"], "flags": r["flags"]}


JUDGE_ROLES = (*WRITE_ROLES, Role.JUDGE)


class ContestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """赛项: create, contestants, scores, judged marks, lock, appeal, publish, results."""

    serializer_class = ContestOutput
    read_roles = (*READ_ROLES, Role.JUDGE)
    # Judges post marks, the chief judge locks; every service checks the actor on the event itself.
    write_roles = JUDGE_ROLES

    def get_queryset(self):
        return selectors.contest_list(actor=self.request.user).order_by("-created_at", "-id")

    def _contest(self, pk) -> Contest:
        return selectors.contest_get(actor=self.request.user, pk=pk)

    def _contestant(self, contest, pk):
        return get_object_or_404(contest.contestants.all(), pk=pk)

    @extend_schema(request=ContestInput, responses={201: ContestOutput})
    def create(self, request):
        data = ContestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org = org_selectors.org_by_code(actor=request.user, code=values.pop("org"))
        parts = values.pop("parts", None)
        contest = services.contest_create(actor=request.user, org=org, parts=[dict(p) for p in parts] if parts else None,
                                          **values)
        return Response(ContestOutput(contest).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["post"], request=ContestantInput, responses={201: ContestantOutput})
    @extend_schema(methods=["get"], responses=ContestantOutput(many=True))
    @action(detail=True, methods=["get", "post"])
    def contestants(self, request, pk=None):
        contest = self._contest(pk)
        if request.method == "GET":
            if selectors.judge_assignment(actor=request.user, contest=contest) and not contest.is_locked \
                    and not has_role_on(request.user, contest.org, READ_ROLES):
                return Response({"code": "blind", "message": "成绩锁定前裁判不能查看选手名单"}, status=403)
            page = self.paginate_queryset(selectors.contestant_list(contest=contest))
            return self.get_paginated_response(ContestantOutput(page, many=True).data)
        data = ContestantInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = None
        if data.validated_data["member"]:
            member = org_selectors.member_get(actor=request.user, pk=data.validated_data["member"])
        contestant = services.contestant_register(actor=request.user, contest=contest, member=member,
                                                  name=data.validated_data["name"],
                                                  employer=data.validated_data["employer"])
        return Response(ContestantOutput(contestant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScoreInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        contest = self._contest(pk)
        data = ScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        contestant = self._contestant(contest, v["contestant"])
        row = services.score_submit(actor=request.user, contest=contest, contestant=contestant, part=v["part"],
                                    score=v["score"], time_seconds=v["time_seconds"])
        return Response({"id": row.pk, "contestant": contestant.pk, "part": row.part,
                         "score": rules.format_total(row.value)}, status=status.HTTP_201_CREATED)

    @extend_schema(request=MarkInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def marks(self, request, pk=None):
        contest = self._contest(pk)
        data = MarkInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        contestant = self._contestant(contest, v["contestant"])
        criterion = get_object_or_404(Criterion, contest=contest, code=v["criterion"])
        row = services.mark_submit(actor=request.user, contest=contest, contestant=contestant, criterion=criterion,
                                   mark=v["mark"] or None, deviation=v["deviation"] or None)
        return Response({"id": row.pk, "contestant": contestant.pk, "criterion": criterion.code,
                         "mark": rules.format_total(row.value)}, status=status.HTTP_201_CREATED)

    @extend_schema(request=CriterionInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def criteria(self, request, pk=None):
        contest = self._contest(pk)
        data = CriterionInput(data=request.data)
        data.is_valid(raise_exception=True)
        c = services.criterion_create(actor=request.user, contest=contest, **data.validated_data)
        return Response({"id": c.pk, "code": c.code, "name": c.name, "kind": c.kind,
                         "max_mark": rules.format_total(c.max_mark)}, status=status.HTTP_201_CREATED)

    @extend_schema(request=JudgeInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def judges(self, request, pk=None):
        contest = self._contest(pk)
        data = JudgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = get_object_or_404(get_user_model(), username=v["username"])
        employer_org = org_selectors.org_by_code(actor=request.user, code=v["employer_org"]) \
            if v["employer_org"] else None
        a = services.judge_assign(actor=request.user, contest=contest, user=user, role=v["role"],
                                  employer=v["employer"], employer_org=employer_org)
        return Response({"id": a.pk, "user": user.get_username(), "role": a.role}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="blind-numbers")
    def blind_numbers(self, request, pk=None):
        contest = self._contest(pk)
        return Response({"assigned": services.blind_numbers_assign(actor=request.user, contest=contest)})

    @extend_schema(request=None, responses={200: ContestOutput})
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        contest = services.scores_lock(actor=request.user, contest=self._contest(pk))
        return Response(ContestOutput(contest).data, status=status.HTTP_200_OK)

    @extend_schema(request=AppealInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def appeals(self, request, pk=None):
        contest = self._contest(pk)
        data = AppealInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        contestant = self._contestant(contest, v["contestant"])
        criterion = get_object_or_404(Criterion, contest=contest, code=v["criterion"]) if v["criterion"] else None
        judge = get_object_or_404(get_user_model(), username=v["judge"]) if v["judge"] else None
        appeal = services.score_appeal(actor=request.user, contest=contest, contestant=contestant, part=v["part"],
                                       score=v["score"], reason=v["reason"], criterion=criterion, judge=judge)
        return Response({"id": appeal.pk, "before": appeal.before_hundredths, "after": appeal.after_hundredths},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=PublishInput, responses={200: ContestOutput})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        contest = services.results_publish(actor=request.user, contest=self._contest(pk),
                                           notice_days=data.validated_data["notice_days"])
        return Response(ContestOutput(contest).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        contest = self._contest(pk)
        if not has_role_on(request.user, contest.org, READ_ROLES) and not contest.is_locked:
            # A judge sees blind numbers only until the lock (C6).
            return Response({"code": "blind", "message": "成绩锁定前裁判不能查看结果"}, status=403)
        return Response([_result_row(r) for r in selectors.contest_results(contest=contest)])
