"""A4 certificates as PDF (reportlab).

Font decision: reportlab's built-in CID font "STSong-Light" (Adobe-GB1) needs no font file on the
server; the PDF viewer supplies the glyphs (every PDF reader and poppler ship them), so a production
machine without fonts-noto-cjk still produces a correct certificate. Nothing is embedded, which keeps
a 40-page PDF small.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from .choices import PRIZE_LABELS
from .models import Certificate, Contest

__all__ = ["certificates_pdf_bytes"]

FONT = "STSong-Light"
RED = colors.HexColor("#c8161d")
GOLD = colors.HexColor("#b8860b")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def _cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def certificates_pdf_bytes(contest: Contest, certificates: Iterable[Certificate]) -> bytes:
    font = _font()
    buf = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buf, pagesize=(width, height))
    pdf.setTitle(f"{contest.name} 证书")
    series = contest.series
    host = series.org.name if series else contest.org.name
    organisers = [host] + ([series.co_organisers] if series and series.co_organisers else [])
    event_name = contest.name
    issued = contest.published_at or timezone.now()
    for cert in certificates:
        contestant = cert.contestant
        result = getattr(contestant, "result", None)
        prize = PRIZE_LABELS.get(result.prize, "") if result else ""
        # Frame
        pdf.setStrokeColor(RED)
        pdf.setLineWidth(6)
        pdf.rect(28, 28, width - 56, height - 56)
        pdf.setStrokeColor(GOLD)
        pdf.setLineWidth(1.5)
        pdf.rect(42, 42, width - 84, height - 84)
        # Title
        pdf.setFillColor(RED)
        pdf.setFont(font, 48)
        pdf.drawCentredString(width / 2, height - 130, "荣 誉 证 书")
        pdf.setFillColor(colors.black)
        pdf.setFont(font, 24)
        x0 = 110
        pdf.drawString(x0, height - 210, f"{contestant.name}同志：")
        body = f"在{event_name}中，成绩优异，荣获{prize}。"
        if result and result.title:
            body += f"授予“{result.title}”称号。"
        if result and result.promotion:
            body += f"晋升{result.promotion}。"
        body += "特发此证，以资鼓励。"
        y = height - 260
        for i, line in enumerate(_wrap(body, font, 24, width - 2 * x0 - 48)):
            pdf.drawString(x0 + (48 if i == 0 else 0), y, line)
            y -= 40
        pdf.setFont(font, 14)
        pdf.setFillColor(colors.HexColor("#444444"))
        pdf.drawString(x0, 120, f"工作单位：{contestant.employer}")
        pdf.drawString(x0, 96, f"证书编号：{cert.number}")
        pdf.setFillColor(colors.black)
        pdf.setFont(font, 18)
        y = 150
        for org_name in organisers:
            pdf.drawRightString(width - 110, y, org_name)
            y -= 26
        pdf.drawRightString(width - 110, y - 4, _cn_date(timezone.localtime(issued)))
        pdf.showPage()
    pdf.save()
    return buf.getvalue()
