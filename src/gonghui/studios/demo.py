"""Demo: 建设"好房子"职工创新工作室联盟 — 19 studios, the charter, three topics, a lecture, mentoring.

Idempotent: every object is looked up by its natural key first, so a second run changes nothing.
Builds on the orgs demo (BCEG 北京建工集团工会 under BJ); the construction companies' unions are
created under BCEG with codes BCEG-01…BCEG-06 when missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.core.choices import Role
from gonghui.core.models import RoleAssignment
from gonghui.core.validators import id_check_character
from gonghui.orgs import services as org_services
from gonghui.orgs.demo import _demo_password
from gonghui.orgs.models import Member, Organisation
from gonghui.orgs.selectors import member_by_id_number

from . import services
from .choices import AchievementKind, AllianceType, Honour, PatentType, StudioLevel, TopicStatus, WorkArea
from .models import (
    Achievement,
    Agreement,
    Alliance,
    AllianceMembership,
    AllianceOfficer,
    CharterVersion,
    Lecture,
    Mentorship,
    Studio,
    StudioMember,
    Topic,
    TrainingCourse,
)

ALLIANCE_NAME = "建设“好房子”职工创新工作室联盟"
CHARTER_TITLE = "《建设“好房子”职工创新工作室联盟章程（试行）》"
FOUNDED = dt.date(2025, 7, 15)

COMPANIES = [
    ("BCEG-01", "北京建工一建工程建设有限公司工会"),
    ("BCEG-02", "北京建工四建工程建设有限公司工会"),
    ("BCEG-03", "北京建工博海建设有限公司工会"),
    ("BCEG-04", "北京建工新型建材有限责任公司工会"),
    ("BCEG-05", "北京建工建筑设计研究院工会"),
    ("BCEG-06", "北京建工集团总承包部工会"),
]

# (company code, studio name, leader, honour, title, level, specialties)
STUDIOS = [
    ("BCEG-01", "陶建伟劳模创新工作室", "陶建伟", Honour.MODEL_WORKER, "全国劳动模范", StudioLevel.NATIONAL,
     "附着式升降脚手架、超高层施工"),
    ("BCEG-01", "李建国工匠创新工作室", "李建国", Honour.CRAFTSMAN, "北京大工匠", StudioLevel.CITY, "模板与钢筋工程"),
    ("BCEG-01", "孙立强技能大师工作室", "孙立强", Honour.CHIEF_TECHNICIAN, "首席技师", StudioLevel.DISTRICT, "测量放线"),
    ("BCEG-02", "王志刚劳模创新工作室", "王志刚", Honour.MODEL_WORKER, "北京市劳动模范", StudioLevel.CITY, "装配式建筑"),
    ("BCEG-02", "赵红梅防水工匠工作室", "赵红梅", Honour.CRAFTSMAN, "首都工匠", StudioLevel.CITY, "建筑防水、渗漏治理"),
    ("BCEG-02", "周海涛首席技师工作室", "周海涛", Honour.CHIEF_TECHNICIAN, "首席技师", StudioLevel.ENTERPRISE, "机电安装"),
    ("BCEG-03", "刘长青劳模创新工作室", "刘长青", Honour.MODEL_WORKER, "北京市劳动模范", StudioLevel.CITY, "老旧小区综合整治"),
    ("BCEG-03", "陈晓东工匠创新工作室", "陈晓东", Honour.CRAFTSMAN, "北京大工匠", StudioLevel.DISTRICT, "外墙保温与节能改造"),
    ("BCEG-03", "杨静技能创新工作室", "杨静", Honour.CHIEF_TECHNICIAN, "首席技师", StudioLevel.ENTERPRISE, "室内精装修"),
    ("BCEG-04", "马建军劳模创新工作室", "马建军", Honour.MODEL_WORKER, "全国劳动模范", StudioLevel.NATIONAL, "绿色建材、预拌混凝土"),
    ("BCEG-04", "吴海燕材料工匠工作室", "吴海燕", Honour.CRAFTSMAN, "首都工匠", StudioLevel.CITY, "防渗抗裂砂浆"),
    ("BCEG-04", "郑伟首席技师工作室", "郑伟", Honour.CHIEF_TECHNICIAN, "首席技师", StudioLevel.ENTERPRISE, "构件生产质量控制"),
    ("BCEG-05", "何志远设计创新工作室", "何志远", Honour.MODEL_WORKER, "北京市劳动模范", StudioLevel.CITY, "第四代住宅设计"),
    ("BCEG-05", "高雪松BIM工匠工作室", "高雪松", Honour.CRAFTSMAN, "北京大工匠", StudioLevel.DISTRICT, "BIM与数字建造"),
    ("BCEG-05", "林雅琴绿色建筑工作室", "林雅琴", Honour.CHIEF_TECHNICIAN, "首席技师", StudioLevel.ENTERPRISE, "绿色建筑评价"),
    ("BCEG-06", "张国栋劳模创新工作室", "张国栋", Honour.MODEL_WORKER, "全国劳动模范", StudioLevel.NATIONAL, "总承包管理"),
    ("BCEG-06", "许光明安全工匠工作室", "许光明", Honour.CRAFTSMAN, "首都工匠", StudioLevel.CITY, "施工安全与智慧工地"),
    ("BCEG-06", "冯立新首席技师工作室", "冯立新", Honour.CHIEF_TECHNICIAN, "首席技师", StudioLevel.DISTRICT, "塔吊与起重设备"),
    ("BCEG-06", "韩冬梅质量创新工作室", "韩冬梅", Honour.CRAFTSMAN, "北京大工匠", StudioLevel.ENTERPRISE, "工程质量验收"),
]

APPRENTICE_NAMES = ["徐小龙", "蒋文博", "田宇航", "袁梦洁", "邓子健", "曹思远", "彭浩然", "谢丽华", "罗嘉伟", "宋晨阳",
                    "唐一鸣", "董佳怡", "程浩宇", "潘志成", "吕晓峰", "苏雨桐", "叶俊杰", "魏宏伟", "蔡明辉"]

CHARTER_TEXT = """第一章 总则
第一条 建设“好房子”职工创新工作室联盟（以下简称“联盟”）由北京建工集团工会牵头，聚焦“好房子”建设，整合行业优势资源，推动住房建设领域技术创新和人才培养。
第二章 成员组成与职责
第二条 联盟由命名的职工创新工作室组成。成员工作室应参加联盟活动，承担联盟课题，共享创新成果。
第三章 成员责任免与增补
第三条 成员工作室申请加入、退出，或因摘牌等原因需要增补的，经联盟成员大会决定，并记录在册。
第四章 工作任务
第四条 联盟围绕创新攻关、技术合作、人才培养三大板块开展工作，建立课题立项申报及审批程序：申报、专家评审、立项、中期检查、结题验收。
第五条 联盟每年至少组织一至两项联合攻关项目，开展“劳模工匠大讲堂”、技能培训、名师带徒等活动。
第五章 附则
第六条 本章程（试行）经联盟成立大会审议通过后施行。"""

TOPICS = [
    ("《附着式升降脚手架在第四代错层住宅中的应用研究》", WorkArea.INNOVATION, Decimal("300000"), TopicStatus.APPROVED,
     ["李建国工匠创新工作室", "何志远设计创新工作室"],
     "针对第四代错层住宅立面错层多、层高变化大的特点，研究附着式升降脚手架的附着点布置、提升工况和防坠措施，"
     "形成专项施工工法，并在两个示范项目中应用。"),
    ("《老旧小区综合整治防渗漏技术研究》", WorkArea.COOPERATION, Decimal("180000"), TopicStatus.UNDER_REVIEW,
     ["赵红梅防水工匠工作室", "吴海燕材料工匠工作室"],
     "联合防水施工与材料研发工作室，研究屋面、外墙和地下室渗漏的诊断方法与综合治理工艺，编制技术导则。"),
    ("《1+1>2 职工创新工作室建设与发展》", WorkArea.TALENT, Decimal("80000"), TopicStatus.SUBMITTED,
     ["王志刚劳模创新工作室"],
     "总结联盟成员工作室协作机制，研究跨企业创新资源共享、名师带徒和成果转化的组织方式。"),
]

REVIEWS = {  # topic index → scores of the demo experts (in order)
    0: [("88", "技术路线清晰，示范项目落实，同意立项。"), ("85", "建议补充防坠装置监测方案。"),
        ("90", "对第四代住宅建设意义重大。")],
    1: [("82", "选题贴近民生，建议细化材料试验计划。")],
}

BACKBONE_NAMES = ["方志强", "石磊", "姚建新", "廖文静", "邹国庆", "熊伟", "金鑫", "陆海波", "郝明", "孔令辉",
                  "白雪", "崔永刚", "康宁", "毛卫东", "邱少华", "秦岭", "江涛", "史玉兰", "顾晓光"]
FEMALE = {"赵红梅", "杨静", "吴海燕", "林雅琴", "韩冬梅", "袁梦洁", "谢丽华", "董佳怡", "苏雨桐", "廖文静", "白雪", "史玉兰"}

EXPERTS = [("expert_li", "李教授"), ("expert_wang", "王高工"), ("expert_zhao", "赵总工")]


def _id_number(n: int, *, female: bool = False) -> str:
    birth = (dt.date(1972, 3, 1) + dt.timedelta(days=37 * n)).strftime("%Y%m%d")
    first17 = f"110108{birth}{(500 + n * 2 + (0 if female else 1)) % 1000:03d}"
    return first17 + id_check_character(first17)


def _member(actor, org: Organisation, name: str, n: int, trade: str = "建筑施工") -> Member:
    number = _id_number(n, female=name in FEMALE)
    found = member_by_id_number(id_number=number)
    if found is not None:
        return found
    return org_services.member_create(actor=actor, org=org, name=name, id_number=number,
                                      phone=f"1390108{n:04d}", employer=org.name.removesuffix("工会"), trade=trade,
                                      joined_on=dt.date(2010, 1, 1))


def _user(username: str, *, first_name: str = ""):
    """A demo login with the demo password the orgs demo prints (one password for every demo account)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=_demo_password(), first_name=first_name)
    return user


def load(*, out) -> None:
    bceg = Organisation.objects.filter(code="BCEG").first()
    if bceg is None:
        out.write("创新工作室：缺少北京建工集团工会（BCEG），跳过\n")
        return
    User = get_user_model()
    actor = User.objects.filter(is_superuser=True).order_by("id").first()
    if actor is None:
        actor = User.objects.create_superuser(username="studios-demo", email="", password=None)

    companies = {}
    for code, name in COMPANIES:
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            org = org_services.org_create(actor=actor, parent=bceg, code=code, name=name, type="base")
        companies[code] = org

    # Studios with leaders and two team members each.
    studios: dict[str, Studio] = {}
    for i, (code, name, leader_name, honour, title, level, specialties) in enumerate(STUDIOS):
        org = companies[code]
        studio = Studio.objects.filter(org=org, name=name).first()
        leader = _member(actor, org, leader_name, i * 10 + 1)
        if studio is None:
            studio = services.studio_create(
                actor=actor, org=org, name=name, leader=leader, leader_honour=honour, leader_title=title,
                level=level, recognized_on=dt.date(2018 + i % 6, 4, 28), specialties=specialties,
                venue=f"{org.name.removesuffix('工会')}职工创新工作室", equipment="BIM工作站、激光测距仪、试验台",
                funding=Decimal(100000 + 20000 * (i % 5)))
        for k, mname in enumerate([APPRENTICE_NAMES[i], BACKBONE_NAMES[i]]):
            m = _member(actor, org, mname, i * 10 + 2 + k)
            if not StudioMember.objects.filter(studio=studio, member=m, left_on__isnull=True).exists():
                services.studio_member_add(actor=actor, studio=studio, member=m,
                                           role="骨干" if k else "学员", joined_on=dt.date(2024, 3, 1))
        studios[name] = studio
    out.write(f"创新工作室：{len(studios)} 家（北京建工集团及所属企业）\n")

    # The alliance, its charter, members, lead studio, officers and the signing.
    lead = studios["陶建伟劳模创新工作室"]
    alliance = Alliance.objects.filter(name=ALLIANCE_NAME).first()
    if alliance is None:
        alliance = services.alliance_create(
            actor=actor, host_org=bceg, name=ALLIANCE_NAME, type=AllianceType.RELATED, founded_on=FOUNDED,
            description="北京市首个聚焦“好房子”建设的职工创新工作室联盟，由19家职工创新工作室组成。")
    if not CharterVersion.objects.filter(alliance=alliance, version=1).exists():
        services.charter_add_version(actor=actor, alliance=alliance, title=CHARTER_TITLE, text=CHARTER_TEXT,
                                     approved_by="联盟成立大会", approved_on=FOUNDED)
    for studio in studios.values():
        if not AllianceMembership.objects.filter(alliance=alliance, studio=studio, left_on__isnull=True).exists():
            services.alliance_join(actor=actor, alliance=alliance, studio=studio, joined_on=FOUNDED,
                                   decision="联盟成立大会决议（2025年7月）")
    if alliance.lead_studio_id != lead.pk:
        services.alliance_set_lead(actor=actor, alliance=alliance, studio=lead)
    for member, title in [(lead.leader, "联盟理事长（发起人）"),
                          (studios["王志刚劳模创新工作室"].leader, "联盟秘书长")]:
        if not AllianceOfficer.objects.filter(alliance=alliance, member=member, title=title).exists():
            services.officer_appoint(actor=actor, alliance=alliance, member=member, title=title, since=FOUNDED)
    if not Agreement.objects.filter(alliance=alliance, title="联盟成员合作协议").exists():
        services.agreement_sign(actor=actor, alliance=alliance, title="联盟成员合作协议", signed_on=FOUNDED,
                                parties=list(studios.values()),
                                text="成员工作室共享场地设备与创新成果，联合开展课题攻关和人才培养。")
    out.write(f"联盟：{ALLIANCE_NAME}，{CHARTER_TITLE} v1，19家成员签约，发起人全国劳动模范陶建伟\n")

    # Experts (judges on the federation, above BCEG) and the leader's login.
    bj = Organisation.objects.get_parent(bceg) or bceg
    experts = []
    for username, first_name in EXPERTS:
        user = _user(username, first_name=first_name)
        RoleAssignment.objects.get_or_create(user=user, org=bj, role=Role.JUDGE)
        experts.append(user)
    leader_user = _user("taojianwei", first_name="陶建伟")
    if lead.leader.user_id is None:
        Member.objects.filter(pk=lead.leader.pk).update(user=leader_user)
    out.write("演示账号 taojianwei（联盟发起人、工作室领衔人）、expert_li / expert_wang / expert_zhao（评审专家），"
              "密码同上\n")

    # The first key topics, in different states.
    for idx, (title, area, budget, target, partner_names, plan) in enumerate(TOPICS):
        owner = lead if idx != 1 else studios["刘长青劳模创新工作室"]
        topic = Topic.objects.filter(alliance=alliance, title=title).first()
        if topic is None:
            team = [(owner.leader, owner, "课题负责人")]
            for pname in partner_names:
                partner = studios[pname]
                team.append((partner.leader, partner, "课题组成员"))
            topic = services.topic_create(
                actor=actor, studio=owner, alliance=alliance, title=title, work_area=area, plan=plan, budget=budget,
                starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 12, 31), team=team)
        if topic.status == TopicStatus.DRAFT:
            topic = services.topic_submit(actor=actor, topic=topic)
        for expert, (score, comment) in zip(experts, REVIEWS.get(idx, []), strict=False):
            if not topic.reviews.filter(reviewer=expert).exists():
                services.topic_review(actor=expert, topic=topic, score=score, comment=comment)
                topic.refresh_from_db()
        if target == TopicStatus.APPROVED and topic.status == TopicStatus.UNDER_REVIEW:
            services.topic_approve(actor=actor, topic=topic, approved_budget=Decimal("280000"),
                                   note="经联盟课题评审会审议，同意立项。")
    out.write("课题：首批重点攻关课题3项（已立项、评审中、已申报）\n")

    # Achievements (the lead studio's patent and method; a benefit for the waterproofing studio).
    achievements = [
        (lead, AchievementKind.PATENT, "一种适用于错层住宅的附着式升降脚手架附着支座", dt.date(2025, 3, 18),
         "ZL202420512345.6", PatentType.UTILITY, Decimal("0"), Decimal("0")),
        (lead, AchievementKind.METHOD, "附着式升降脚手架错层提升施工工法", dt.date(2025, 10, 9), "", "",
         Decimal("460000"), Decimal("3200")),
        (studios["赵红梅防水工匠工作室"], AchievementKind.BENEFIT, "老旧小区屋面渗漏快速修复工艺",
         dt.date(2025, 8, 20), "", "", Decimal("125000"), Decimal("900")),
    ]
    for studio, kind, title, on, number, ptype, yuan, hours in achievements:
        if not Achievement.objects.filter(studio=studio, title=title).exists():
            item = services.achievement_create(actor=actor, studio=studio, kind=kind, title=title, achieved_on=on,
                                               alliance=alliance, patent_number=number, patent_type=ptype,
                                               yuan_saved=yuan, hours_saved=hours)
            if kind == AchievementKind.METHOD:
                services.achievement_apply(actor=actor, achievement=item, place="北京城市副中心安置房项目",
                                           applied_on=dt.date(2025, 11, 1), effect="提升工效约20%",
                                           yuan_saved=Decimal("180000"), hours_saved=Decimal("1200"))
    out.write("成果：专利、工法、效益共3项，共享至联盟成果库\n")

    # 劳模工匠大讲堂 with sign-ups and attendance; a training course.
    lecture = Lecture.objects.filter(alliance=alliance, title="劳模工匠大讲堂：附着式升降脚手架安全与创新").first()
    if lecture is None:
        lecture = services.lecture_create(
            actor=actor, org=bceg, alliance=alliance, studio=lead, title="劳模工匠大讲堂：附着式升降脚手架安全与创新",
            speaker="陶建伟（全国劳动模范）", venue="北京建工集团职工培训中心报告厅", capacity=80,
            starts_at=timezone.make_aware(dt.datetime(2025, 9, 18, 14, 0)))
    attendees = list(StudioMember.objects.filter(studio__in=studios.values(), left_on__isnull=True)
                     .select_related("member").order_by("id")[:12])
    for k, row in enumerate(attendees):
        if not lecture.signups.filter(member=row.member).exists():
            services.lecture_signup(actor=actor, lecture=lecture, member=row.member)
            if k < 9:
                services.lecture_checkin(actor=actor, lecture=lecture, token=row.member.card_token)
    if not TrainingCourse.objects.filter(alliance=alliance, title="“好房子”建设新技术新工艺技能培训").exists():
        services.training_create(actor=actor, org=bceg, alliance=alliance, studio=lead,
                                 title="“好房子”建设新技术新工艺技能培训", starts_on=dt.date(2025, 10, 13),
                                 ends_on=dt.date(2025, 10, 17), hours=Decimal("40"), trainees=56,
                                 description="装配式施工、防渗漏工艺、智慧工地")
    out.write(f"人才培养：劳模工匠大讲堂报名{lecture.signups.count()}人，技能培训1期\n")

    # 名师带徒: two pairs, one already promoted to 技师.
    pairs = [
        (lead, APPRENTICE_NAMES[0], "两年内掌握附着式升降脚手架安装与提升操作，取得技师职业资格", True),
        (studios["赵红梅防水工匠工作室"], APPRENTICE_NAMES[4], "一年内独立完成屋面与外墙渗漏诊断及治理方案", False),
    ]
    for studio, apprentice_name, goals, done in pairs:
        apprentice = studio.team.filter(member__name=apprentice_name).select_related("member").first().member
        pair = Mentorship.objects.filter(mentor=studio.leader, apprentice=apprentice).first()
        if pair is None:
            pair = services.mentorship_create(actor=actor, studio=studio, mentor=studio.leader, apprentice=apprentice,
                                              goals=goals, started_on=dt.date(2024, 3, 1))
            services.mentorship_note_add(actor=actor, mentorship=pair, noted_on=dt.date(2024, 9, 1),
                                         text="完成理论学习和三次现场跟班操作。")
            if done:
                services.mentorship_complete(actor=actor, mentorship=pair, ended_on=dt.date(2025, 6, 30),
                                             outcome="通过技师职业技能等级认定", outcome_level="技师")
    out.write("名师带徒：2对（其中1人晋升技师）\n")
