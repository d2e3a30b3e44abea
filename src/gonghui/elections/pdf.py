"""Printable A4 ballots and the result report (选举结果报告), drawn with reportlab.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1): no font file needs to be
installed or shipped, so it works on any server; PDF readers render it with their own CJK font
(Noto CJK / SimSun / Adobe's Asian font pack). The Noto CJK fonts of Debian are CFF-outline .ttc files,
which reportlab cannot embed, so embedding would mean shipping a TrueType CJK font of ~10 MB.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gonghui.orgs.models import Organisation

from .choices import RoundKind
from .models import Election, ElectionPlan

__all__ = ["ballot_pdf", "report_pdf", "FONT"]

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4 * mm)
SUB = ParagraphStyle("sub", fontName=FONT, fontSize=11, leading=16, alignment=TA_CENTER, spaceAfter=3 * mm)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=9.5, leading=14, textColor=colors.HexColor("#333333"))
H2 = ParagraphStyle("h2", fontName=FONT, fontSize=13, leading=20, spaceBefore=4 * mm, spaceAfter=2 * mm)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=11, leading=15)


def _grid(data: list[list[Any]], widths: list[float], header: bool = True, align_right: tuple[int, ...] = ()) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 11),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")), ("ALIGN", (0, 0), (-1, 0), "CENTER")]
    for col in align_right:
        style.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
    table.setStyle(TableStyle(style))
    return table


def _doc(buffer: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                             bottomMargin=16 * mm, title=title, author="gonghui")


def ballot_pdf(*, election: Election, round_number: int | None = None) -> bytes:
    """One A4 ballot: candidates in stroke order, boxes 同意 / 不同意 / 弃权, write-in lines."""
    rnd = election.rounds.filter(number=round_number).first() if round_number else (
        election.rounds.order_by("-number").first())
    candidates = list(rnd.candidates.order_by("stroke_key", "name") if rnd else election.candidates.all())
    seats = rnd.seats if rnd else election.seats
    kind = rnd.get_kind_display() if rnd and rnd.kind != RoundKind.MAIN else ""
    buffer = io.BytesIO()
    title = f"{election.plan.title}"
    doc = _doc(buffer, title)
    story: list[Any] = [
        Paragraph(title, TITLE),
        Paragraph(_("{body}选举票{kind}").format(body=election.get_body_display(),
                                            kind=f"（{kind}）" if kind else ""), TITLE),
        Paragraph(f"应选{seats}名　候选人{len(candidates)}名　{election.get_method_display()}　（候选人按姓氏笔画为序）", SUB),
    ]
    data: list[list[Any]] = [[_("序号"), _("候选人姓名"), _("同意"), _("不同意"), _("弃权")]]
    for i, cand in enumerate(candidates, start=1):
        data.append([str(i), cand.name, "", "", ""])
    allow_write_in = not rnd or rnd.kind == RoundKind.MAIN
    if allow_write_in:
        for _i in range(max(1, min(seats, 5))):
            data.append([_("另选"), "", "", "", ""])
    table = _grid(data, [16 * mm, 70 * mm, 28 * mm, 28 * mm, 28 * mm])
    table.setStyle(TableStyle([("ALIGN", (0, 1), (0, -1), "CENTER"), ("ROWHEIGHT", (0, 1), (-1, -1), 11 * mm)]))
    for row in range(1, len(data)):
        table._argH[row] = 10 * mm
    story += [table, Spacer(1, 6 * mm), Paragraph(_("填票说明"), H2)]
    notes = [
        _("一、对候选人表示同意的，在“同意”栏内划“○”；不同意的划“×”；弃权的划“△”。每位候选人只能选择一项。"),
        _("二、另选他人的，在“另选”栏内写上另选人姓名，并在其“同意”栏内划“○”。") if allow_write_in
        else _("二、本轮只能在所列候选人中投票，不能另选他人。"),
        f"三、同意的人数（含另选人）等于或少于应选名额{seats}名的为有效票，多于{seats}名的为废票。",
        _("四、本票不记名，不得在选票上做任何标记。"),
    ]
    story += [Paragraph(n, BODY) for n in notes]
    signatures = Table([[_("监票人签名："), "", _("计票人签名："), ""]], colWidths=[28 * mm, 50 * mm, 28 * mm, 50 * mm])
    signatures.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 10),
                                    ("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
                                    ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black)]))
    story += [Spacer(1, 10 * mm), signatures]
    doc.build(story)
    return buffer.getvalue()


def report_pdf(*, plan: ElectionPlan, results: list[tuple[Election, dict[str, Any], list[Any]]],
               rule_summary: list[str], report: Any = None) -> bytes:
    """选举结果报告: rule set, quorum, ballots issued/returned/valid/void, votes per candidate, elected."""
    buffer = io.BytesIO()
    org = plan.org
    doc = _doc(buffer, _("选举结果报告"))
    parent = Organisation.objects.get_parent(org) if org.depth > 1 else None
    story: list[Any] = [
        Paragraph(_("选举结果报告"), TITLE),
        Paragraph(plan.title, SUB),
        Paragraph("{parent}：".format(parent=parent.name if parent else _("上级工会")), BODY),
        Paragraph(_("　　{org}于{date}召开{meeting}，会员{m}人（其中女会员{w}人）。现将选举结果报告如下，请予审批。").format(
            org=org.name, date=plan.meeting_date.strftime(_("%Y年%m月%d日")) if plan.meeting_date else _("____年__月__日"),
            meeting=plan.get_meeting_type_display(), m=plan.members_count, w=plan.women_count), BODY),
        Paragraph(_("适用规则"), H2),
    ]
    story += [Paragraph(f"（{i}）{line}", SMALL) for i, line in enumerate(rule_summary, 1)]
    for election, result, rounds in results:
        block: list[Any] = [Paragraph(f"{election.get_body_display()}（应选{election.seats}名，{election.get_method_display()}）", H2)]
        block.append(Paragraph(
            _("应到会有选举权人数{due}人，实到{p}人，{q}。当选须得赞成票{t}票以上（超过应到人数的半数）。").format(
                due=election.due, p=result["present"], t=result["threshold"],
                q=_("达到三分之二以上，符合法定人数") if result["quorum_met"] else _("不足三分之二，不符合法定人数")), BODY))
        for rnd in rounds:
            r = rnd.result or {}
            block.append(Paragraph(_("第{n}轮（{k}）：发出选票{i}张，收回{ret}张，有效{v}张，废票{vo}张{x}。").format(
                n=rnd.number, k=rnd.get_kind_display(), i=r.get("issued", 0), ret=r.get("returned", 0),
                v=r.get("valid_ballots", 0), vo=r.get("void_ballots", 0),
                x="" if r.get("round_valid", True) else _("；收回多于发出，本轮无效（V5）")), SMALL))
            votes = r.get("votes", {})
            elected = set(r.get("elected", []))
            revote = set(r.get("revote", []))
            data = [[_("候选人"), _("赞成票"), _("结果")]]
            for name, count in sorted(votes.items(), key=lambda kv: -kv[1]):
                outcome = _("当选") if name in elected else (_("票数相等，重新投票") if name in revote else (
                    _("未过半数") if count < r.get("threshold", 0) else _("未当选")))
                data.append([name, str(count), outcome])
            block += [_grid(data, [70 * mm, 30 * mm, 60 * mm], align_right=(1,)), Spacer(1, 2 * mm)]
        names = "、".join(result["elected"]) or _("无")
        block.append(Paragraph(f"当选：{names}", BODY))
        if election.not_filled:
            block.append(Paragraph(_("缺额{k}名，经大会决定不再选举（在F8规定人数范围内）。").format(
                k=election.seats - len(result["elected"])), SMALL))
        story.append(KeepTogether(block))
    story += [Spacer(1, 10 * mm), Paragraph(f"{org.name}（盖章）", BODY)]
    if report is not None and report.decided_at and report.state == "approved":
        story.append(Paragraph(_("上级工会批复：{p}于{d}批准。").format(
            p=report.to_org.name, d=report.decided_at.strftime(_("%Y年%m月%d日"))), BODY))
    doc.build(story)
    return buffer.getvalue()
