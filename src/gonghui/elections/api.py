"""API of elections (the issue's contract): create, candidates, attendance, ballots, result."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gonghui.orgs import selectors as org_selectors

from . import selectors, services
from .choices import Body, Method, ThresholdBase
from .models import Candidate, Election


class ElectionOutput(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    body_display = serializers.CharField(source="get_body_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    ballot_pdf = serializers.SerializerMethodField()
    report_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Election
        fields = ["id", "org", "org_name", "plan", "body", "body_display", "seats", "due", "method", "state",
                  "state_display", "present_count", "quorum_strict", "threshold_base", "competitive_pct",
                  "committee_min", "committee_max", "not_filled", "ballot_pdf", "report_pdf"]

    def get_ballot_pdf(self, obj: Election) -> str:
        return reverse("elections:ballot-pdf", args=[obj.pk])

    def get_report_pdf(self, obj: Election) -> str:
        return reverse("elections:report-pdf", args=[obj.plan_id])


class ElectionInput(serializers.Serializer):
    org = serializers.CharField(max_length=32, help_text="工会组织代码")
    body = serializers.ChoiceField(choices=Body.choices)
    seats = serializers.IntegerField(min_value=1, max_value=1000)
    due = serializers.IntegerField(min_value=1, max_value=1_000_000)
    method = serializers.ChoiceField(choices=Method.choices, required=False)
    plan = serializers.IntegerField(required=False)
    quorum_strict = serializers.BooleanField(required=False, allow_null=True, default=None)
    threshold_base = serializers.ChoiceField(choices=ThresholdBase.choices, required=False, allow_null=True,
                                             default=None)
    competitive_pct = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1,
                                               required=False, allow_null=True, default=None)


class CandidateOutput(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = ["id", "name", "member", "relative_of_principal"]


class CandidateInput(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    member = serializers.IntegerField(required=False, allow_null=True, default=None)
    relative_of_principal = serializers.BooleanField(required=False, default=False)


class AttendanceInput(serializers.Serializer):
    present = serializers.IntegerField(min_value=0, required=False)
    token = serializers.CharField(required=False, help_text="会员二维码内容")


class BallotInput(serializers.Serializer):
    yes = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    no = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    abstain = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    write_in = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)


class BallotsInput(serializers.Serializer):
    issued = serializers.IntegerField(min_value=0)
    ballots = BallotInput(many=True)


ResultOutput = inline_serializer("ElectionResult", fields={
    "quorum_met": serializers.BooleanField(), "round_valid": serializers.BooleanField(),
    "threshold": serializers.IntegerField(), "valid_ballots": serializers.IntegerField(),
    "void_ballots": serializers.IntegerField(), "votes": serializers.DictField(child=serializers.IntegerField()),
    "elected": serializers.ListField(child=serializers.CharField()),
    "revote": serializers.ListField(child=serializers.CharField()), "shortfall": serializers.IntegerField(),
})


class ElectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ElectionOutput

    def get_queryset(self):
        qs = selectors.election_list(actor=self.request.user).order_by("-id")
        org = self.request.query_params.get("org")
        if org:
            qs = qs.filter(org__code=org)
        return qs

    def get_object(self) -> Election:
        return selectors.election_get(actor=self.request.user, pk=self.kwargs["pk"])

    def _member(self, election: Election, pk):
        if pk is None:
            return None
        from gonghui.orgs.models import Member

        member = Member.objects.filter(pk=pk, org=election.org).first()
        if member is None:
            from gonghui.core.errors import DomainError

            raise DomainError("not_a_member", "该会员不在本工会")
        return member

    @extend_schema(request=ElectionInput, responses={201: ElectionOutput})
    def create(self, request):
        data = ElectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org = org_selectors.org_by_code(actor=request.user, code=values.pop("org"))
        plan = None
        if values.get("plan") is not None:
            plan = selectors.plan_get(actor=request.user, pk=values["plan"])
        values.pop("plan", None)
        election = services.election_create(actor=request.user, org=org, plan=plan, **values)
        return Response(ElectionOutput(election).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CandidateInput, responses={201: CandidateOutput})
    @action(detail=True, methods=["get", "post"])
    def candidates(self, request, pk=None):
        election = self.get_object()
        if request.method == "GET":
            return Response({"count": election.candidates.count(),
                             "results": CandidateOutput(election.candidates.all(), many=True).data})
        data = CandidateInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = self._member(election, data.validated_data["member"])
        candidate = services.candidate_add(
            actor=request.user, election=election, name=data.validated_data["name"], member=member,
            relative_of_principal=data.validated_data["relative_of_principal"])
        return Response(CandidateOutput(candidate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceInput, responses={200: ResultOutput})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        election = self.get_object()
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        if "token" in data.validated_data:
            services.attendance_scan(actor=request.user, election=election, token=data.validated_data["token"])
        elif "present" in data.validated_data:
            services.attendance_count_set(actor=request.user, election=election,
                                          present=data.validated_data["present"])
        else:
            raise serializers.ValidationError({"present": ["请填写实到人数"]})
        election.refresh_from_db()
        result = selectors.election_result(election=election)
        return Response({"present": result["present"], "due": election.due, "quorum_met": result["quorum_met"]})

    @extend_schema(request=BallotsInput, responses={201: ResultOutput})
    @action(detail=True, methods=["post"])
    def ballots(self, request, pk=None):
        election = self.get_object()
        data = BallotsInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.ballots_record(actor=request.user, election=election, issued=data.validated_data["issued"],
                                ballots=[dict(b) for b in data.validated_data["ballots"]])
        election.refresh_from_db()
        return Response(selectors.election_result(election=election), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ResultOutput})
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        return Response(selectors.election_result(election=self.get_object()))
