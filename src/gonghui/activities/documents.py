"""The activity report (活动简报) as a PDF (reportlab) and as a Word document (.docx, python-docx).

PDF: the text uses reportlab's built-in CID font STSong-Light (Adobe-GB1), which needs no font file;
every PDF reader with the Chinese language pack (Acrobat, WPS, Foxit, poppler with poppler-data)
renders it. Word: .docx rather than an HTML ".doc" — WPS and Word open it natively, the photos are
embedded (not links to the server), and editors can revise it for the newsletter.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Activity
from .selectors import activity_stats

__all__ = ["report_docx", "report_pdf", "report_facts"]

CJK_FONT = "STSong-Light"


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def report_facts(activity: Activity) -> list[tuple[str, str]]:
    stats = activity_stats(activity=activity)
    organisers = [activity.org.name, *(o.name for o in activity.co_orgs.all()), *activity.co_organiser_list]
    return [
        (_("主办单位"), "、".join(organisers)),
        (_("活动类型"), activity.get_kind_display()),
        (_("时间"), f"{_fmt(activity.starts_at)} 至 {_fmt(activity.ends_at)}"),
        (_("地点"), activity.place),
        (_("报名 / 签到"), _("报名{c}人，签到{a}人").format(c=stats["confirmed"], a=stats["attended"])),
    ]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def report_pdf(activity: Activity) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    title = ParagraphStyle("title", fontName=CJK_FONT, fontSize=18, leading=26, alignment=TA_CENTER,
                           spaceAfter=4 * mm, textColor=colors.HexColor("#9e1016"), wordWrap="CJK")
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=11.5, leading=20, firstLineIndent=23,
                          spaceAfter=2 * mm, wordWrap="CJK")
    small = ParagraphStyle("small", fontName=CJK_FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    caption = ParagraphStyle("caption", parent=small, alignment=TA_CENTER, textColor=colors.HexColor("#374151"))
    credit = ParagraphStyle("credit", parent=small, alignment=TA_CENTER, textColor=colors.HexColor("#6b7280"))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=activity.theme, author=activity.org.name,
                            subject=_("活动简报"))
    story = [Paragraph(escape(activity.theme), title)]
    facts = Table([[Paragraph(escape(k), small), Paragraph(escape(v), small)] for k, v in report_facts(activity)],
                  colWidths=[28 * mm, doc.width - 28 * mm])
    facts.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f4f6")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d1d5db")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    story += [facts, Spacer(1, 6 * mm)]
    text = _paragraphs(activity.report_text) or _paragraphs(activity.description)
    story += [Paragraph(escape(p), body) for p in text]
    for photo in activity.photos.all():
        try:
            path = photo.image.path
        except (NotImplementedError, ValueError):
            continue
        w, h = photo.width or 4, photo.height or 3
        max_w, max_h = doc.width, 110 * mm
        scale = min(max_w / w, max_h / h)
        block = [Spacer(1, 4 * mm), Image(path, width=w * scale, height=h * scale), Spacer(1, 2 * mm),
                 Paragraph(escape(photo.caption), caption)]
        if photo.credit:
            block.append(Paragraph(escape(photo.credit), credit))
        story.append(KeepTogether(block))

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(CJK_FONT, 8.5)
        canvas.setFillColor(colors.HexColor("#6b7280"))
        canvas.drawString(22 * mm, 12 * mm, "{org}  {title}".format(org=activity.org.name, title=_("活动简报")))
        canvas.drawRightString(A4[0] - 22 * mm, 12 * mm, _("第{n}页").format(n=doc_.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def report_docx(activity: Activity) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    core = document.core_properties
    core.title = activity.theme
    core.author = activity.org.name
    core.subject = _("活动简报")

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(activity.theme)
    run.bold = True
    run.font.size = Pt(18)
    run.font.color.rgb = RGBColor(0x9E, 0x10, 0x16)
    run.font.name = "SimHei"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")

    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in report_facts(activity):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
        cells[0].width, cells[1].width = Cm(3), Cm(13.6)
    document.add_paragraph()
    for text in _paragraphs(activity.report_text) or _paragraphs(activity.description):
        p = document.add_paragraph(text)
        p.paragraph_format.first_line_indent = Pt(24)
        p.paragraph_format.line_spacing = 1.5
    for photo in activity.photos.all():
        try:
            photo.image.open("rb")
            data = photo.image.read()
        finally:
            photo.image.close()
        pic = document.add_paragraph()
        pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
        ratio = (photo.height or 3) / (photo.width or 4)
        width_cm = min(15.0, 11.0 / ratio) if ratio else 15.0
        pic.add_run().add_picture(io.BytesIO(data), width=Cm(width_cm))
        cap = document.add_paragraph(photo.caption)
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if photo.credit:
            cr = document.add_paragraph()
            cr.alignment = WD_ALIGN_PARAGRAPH.CENTER
            r = cr.add_run(photo.credit)
            r.font.size = Pt(10)
            r.font.color.rgb = RGBColor(0x6B, 0x72, 0x80)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
