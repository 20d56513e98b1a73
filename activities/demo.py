"""Demo data for activities and support: a term of activities (班会, 讲座, 节日慰问 for about 40 children …)
up to today, 留守儿童之家 openings on most school days, aid, one school-wide health check and two exams.
Everything is bulk-created so that a county of 100 schools stays quick; drawn photos only for the first
school (the one with the named demo accounts)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from activities.models import (
    Activity,
    ActivityKind,
    ActivityParticipant,
    ActivityPhoto,
    Aid,
    AidKind,
    CareRoomOpening,
    Exam,
    ExamKind,
    ExamResult,
    HealthCheck,
    LectureTopic,
)
from caretrack.models import SchoolClass, StaffProfile
from children.models import Child, LeftBehindType

# (days after the term starts, title, kind, topic, place, partners, who takes part, adults (guardians,
# volunteers, teachers), description). "who": "all" = every left-behind child, "grade" = ~40 of one grade,
# "class" = one class meeting per class, "some" = about 25 children.
AUTUMN = [
    (6, "开学第一课：安全教育讲座", ActivityKind.LECTURE, LectureTopic.SAFETY, "学校操场", "镇派出所", "all",
     (0, 0, 12), "民警讲解防溺水、交通安全和防拐骗知识，发放安全手册。"),
    (13, "“感恩父母”主题班会", ActivityKind.CLASS_MEETING, "", "各班教室", "", "class", (0, 0, 1),
     "学生讲述父母外出务工的故事，给父母写一句心里话。"),
    (24, "中秋节慰问留守儿童", ActivityKind.FESTIVAL, "", "学校食堂", "县妇联、镇关工委", "grade", (12, 8, 10),
     "为留守儿童送月饼、书包和文具，与孩子们一起做月饼、猜灯谜。"),
    (29, "国庆节慰问：我和国旗合个影", ActivityKind.FESTIVAL, "", "学校操场", "镇关工委", "grade", (8, 6, 8),
     "升旗仪式后为留守儿童送上节日礼物，老师与孩子们合影留念。"),
    (33, "心理健康讲座：学会与情绪做朋友", ActivityKind.LECTURE, LectureTopic.PSYCHOLOGY, "多功能教室",
     "县心理健康教育中心", "some", (0, 2, 6), "心理老师讲解情绪调节方法，并为个别孩子预约心理辅导。"),
    (41, "亲情书信：给远方爸爸妈妈的一封信", ActivityKind.FAMILY, "", "各班教室", "", "all", (0, 0, 18),
     "孩子们给外出务工的父母写信，学校统一寄出，并组织视频连线。"),
    (52, "秋季趣味运动会", ActivityKind.SPORTS, "", "学校操场", "镇团委", "all", (20, 10, 30),
     "拔河、跳绳、接力赛，留守儿童与监护人同场参赛。"),
    (61, "法制教育进校园", ActivityKind.LECTURE, LectureTopic.LAW, "多功能教室", "县检察院", "some", (0, 0, 8),
     "检察官以案说法，讲解未成年人保护法。"),
    (68, "监护人培训会", ActivityKind.PARENTS, "", "学校会议室", "镇关工委", "some", (45, 0, 10),
     "向爷爷奶奶讲解如何关注孩子的学习和安全，发放家庭教育手册。"),
    (111, "冬至包饺子", ActivityKind.FESTIVAL, "", "学校食堂", "爱心企业", "grade", (6, 12, 10),
     "志愿者与留守儿童一起包饺子、吃饺子。"),
    (120, "元旦慰问联欢会", ActivityKind.FESTIVAL, "", "学校礼堂", "县妇联", "all", (30, 15, 25),
     "为留守儿童送冬衣，表演节目，迎接新年。"),
]  # fmt: skip
SPRING = [
    (5, "开学第一课：防溺水安全教育", ActivityKind.LECTURE, LectureTopic.SAFETY, "学校操场", "镇派出所", "all",
     (0, 0, 12), "观看防溺水宣传片，签订安全承诺书。"),
    (12, "“我的梦想”主题班会", ActivityKind.CLASS_MEETING, "", "各班教室", "", "class", (0, 0, 1),
     "孩子们分享自己的梦想，老师逐一鼓励。"),
    (24, "学雷锋社会实践", ActivityKind.PRACTICE, "", "镇敬老院", "镇团委", "some", (0, 6, 6),
     "为敬老院老人打扫卫生、表演节目。"),
    (40, "卫生健康讲座", ActivityKind.LECTURE, LectureTopic.HYGIENE, "多功能教室", "镇卫生院", "some", (0, 0, 6),
     "医生讲解传染病预防与个人卫生。"),
    (80, "母亲节亲情电话", ActivityKind.FAMILY, "", "留守儿童之家", "", "some", (0, 0, 5),
     "组织孩子们给妈妈打电话、送祝福。"),
    (100, "六一儿童节慰问", ActivityKind.FESTIVAL, "", "学校礼堂", "县妇联、爱心企业", "grade", (20, 10, 20),
     "为留守儿童送书包和图书，举办文艺汇演。"),
]  # fmt: skip
DONORS = ["县妇联", "镇关工委", "爱心企业湘华电子", "爱心人士王先生", "县慈善总会"]
CARE_ROOM_NOTES = ["", "", "", "新到图书30册", "组织观看安全教育片", "为两名学生辅导作业"]
PHOTO_COLOURS = [((250, 214, 165), (220, 80, 60)), ((200, 230, 255), (40, 120, 200)), ((210, 240, 200), (60, 150, 60))]


def seed(*, school, term, rng, today: date) -> None:
    end = min(today, term.end_date)
    if end < term.start_date:
        return
    classes = list(SchoolClass.objects.filter(school=school).order_by("grade", "number"))
    staff = list(
        StaffProfile.objects.filter(school=school, is_teacher=True).order_by("pk").values_list("user_id", flat=True)
    )
    coordinator = StaffProfile.objects.filter(school=school, is_coordinator=True).values_list("user_id", flat=True)
    organiser = coordinator.first() or (staff[0] if staff else None)
    children = list(
        Child.objects.filter(school=school)
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .order_by("pk")
        .values_list("pk", "school_class_id", "school_class__grade")
    )
    if not children or not classes:
        return
    activities = _seed_activities(school, term, rng, end, classes, children, organiser)
    _seed_care_room(school, term, rng, end, staff)
    _seed_aid(term, rng, end, children, activities, organiser)
    _seed_health_check(term, rng, end, children, organiser)
    _seed_exams(school, term, rng, end, children, organiser)
    if not ActivityPhoto.objects.exists():
        _seed_photos(rng, activities)


def _seed_activities(school, term, rng, end, classes, children, organiser) -> list[Activity]:
    plan = AUTUMN if term.semester == 1 else SPRING
    activities, who = [], []
    for offset, title, kind, topic, place, partners, takes_part, adults, text in plan:
        day = term.start_date + timedelta(days=offset)
        if day > end:
            continue
        guardians, volunteers, teachers = adults
        if takes_part == "class":
            for cls in classes:
                activities.append(
                    Activity(school=school, school_class=cls, title=title, kind=kind, date=day, place="本班教室",
                             organiser_id=cls.head_teacher_id or organiser, description=text, teachers_count=1,
                             outcome="孩子们积极发言，气氛温馨。", created_by_id=organiser)
                )  # fmt: skip
                who.append([pk for pk, class_id, _ in children if class_id == cls.pk])
            continue
        activities.append(
            Activity(school=school, title=title, kind=kind, topic=topic, date=day, place=place, partners=partners,
                     organiser_id=organiser, description=text, guardians_count=guardians,
                     volunteers_count=volunteers, teachers_count=teachers, created_by_id=organiser,
                     outcome="活动得到家长和社会各界好评，孩子们感受到了关爱和温暖。")
        )  # fmt: skip
        if takes_part == "all":
            who.append([pk for pk, _, _ in children])
        elif takes_part == "grade":
            grade = rng.choice(sorted({g for _, _, g in children}))
            of_grade = [pk for pk, _, g in children if g == grade]
            others = [pk for pk, _, g in children if g != grade]
            # About 40 children: a whole grade, topped up from the next one when the grade is small.
            who.append((of_grade + rng.sample(others, k=max(0, min(len(others), 40 - len(of_grade)))))[:40])
        else:
            who.append(rng.sample([pk for pk, _, _ in children], k=min(25, len(children))))
    Activity.objects.bulk_create(activities, batch_size=500)
    ActivityParticipant.objects.bulk_create(
        [ActivityParticipant(activity=a, child_id=pk) for a, pks in zip(activities, who, strict=True) for pk in pks],
        batch_size=2000,
    )
    return activities


def _school_days(start: date, end: date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _seed_care_room(school, term, rng, end, staff) -> None:
    openings = []
    for day in _school_days(term.start_date, end):
        if rng.random() < 0.12:  # holidays, exams, bad weather
            continue
        openings.append(
            CareRoomOpening(
                school=school,
                date=day,
                duty_teacher_id=rng.choice(staff) if staff else None,
                reading=rng.randint(6, 25),
                family_calls=rng.randint(0, 8),
                sports=rng.randint(0, 15),
                tutoring=rng.randint(0, 10),
                counselling=rng.choice([0, 0, 0, 1, 1, 2]),
                note=rng.choice(CARE_ROOM_NOTES),
            )
        )
    CareRoomOpening.objects.bulk_create(openings, batch_size=1000)


def _seed_aid(term, rng, end, children, activities, organiser) -> None:
    festivals = [a for a in activities if a.kind == ActivityKind.FESTIVAL]
    pool = [pk for pk, _, _ in children]
    records = []
    # 4名特困留守儿童获得每人300元的爱心捐助, and goods at each festival visit.
    for pk in rng.sample(pool, k=min(4, len(pool))):
        day = min(term.start_date + timedelta(days=25), end)
        records.append(Aid(child_id=pk, date=day, kind=AidKind.CASH, amount=Decimal("300"), donor="县慈善总会",
                           note="特困留守儿童爱心捐助", created_by_id=organiser))  # fmt: skip
    for activity in festivals:
        for pk in rng.sample(pool, k=min(8, len(pool))):
            records.append(Aid(child_id=pk, date=activity.date, kind=AidKind.GOODS, amount=Decimal("85.00"),
                               items="书包1个、文具1套", donor=rng.choice(DONORS), activity=activity,
                               created_by_id=organiser))  # fmt: skip
    for pk in rng.sample(pool, k=min(6, len(pool))):
        records.append(Aid(child_id=pk, date=term.start_date, kind=AidKind.FEE_WAIVER, amount=Decimal("250"),
                           donor="县教育局学生资助中心", note="家庭经济困难", created_by_id=organiser))  # fmt: skip
    Aid.objects.bulk_create(records, batch_size=1000)


def _seed_health_check(term, rng, end, children, organiser) -> None:
    day = term.start_date + timedelta(days=18)
    if day > end:
        return
    checks = []
    for pk, _, grade in children:
        height = Decimal(115 + grade * 6 + rng.randint(-6, 6))
        weight = Decimal(20 + grade * 3 + rng.randint(-4, 5))
        findings, follow_up = "", ""
        left, right = Decimal(rng.choice(["5.0", "5.0", "4.9", "5.1", "4.8", "4.6"])), Decimal("5.0")
        if left < Decimal("4.8"):
            findings, follow_up = "视力下降", "已告知监护人，建议到县医院验光"
        elif rng.random() < 0.1:
            findings, follow_up = "龋齿", "已通知监护人带孩子就医"
        checks.append(HealthCheck(child_id=pk, date=day, height_cm=height, weight_kg=weight, vision_left=left,
                                  vision_right=right, findings=findings, follow_up=follow_up,
                                  created_by_id=organiser))  # fmt: skip
    HealthCheck.objects.bulk_create(checks, batch_size=2000)


def _seed_exams(school, term, rng, end, children, organiser) -> None:
    plan = [(40, "第一次月考", ExamKind.MONTHLY), (70, "期中考试", ExamKind.MIDTERM)]
    exams = [
        Exam(school=school, term=term, name=name, kind=kind, date=term.start_date + timedelta(days=offset),
             full_score=Decimal("300"), created_by_id=organiser)
        for offset, name, kind in plan
        if term.start_date + timedelta(days=offset) <= end
    ]  # fmt: skip
    Exam.objects.bulk_create(exams)
    results = []
    for pk, _, _ in children:
        score = rng.gauss(205, 35)
        for exam in exams:
            results.append(ExamResult(exam=exam, child_id=pk, total_score=Decimal(round(max(60, min(298, score))))))
            score += rng.gauss(8, 14)  # most children improve a little between two exams
    ExamResult.objects.bulk_create(results, batch_size=2000)


def _seed_photos(rng, activities) -> None:
    """A few drawn pictures (no real children in demo data) so that pages and the PDF show photos."""
    shown = [a for a in activities if a.school_class_id is None][:4]
    for index, activity in enumerate(shown):
        # Fixed names, drawn once: building the demo again (or in tests) reuses the files.
        name = f"demo/activity_photo_{index + 1}.jpg"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(_drawing(rng, index)))
        ActivityPhoto.objects.create(
            activity=activity, image=name, caption=f"{activity.title}现场", width=1200, height=800
        )


def _drawing(rng, index: int) -> bytes:
    background, accent = PHOTO_COLOURS[index % len(PHOTO_COLOURS)]
    image = Image.new("RGB", (1200, 800), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 1200, 800), fill=(236, 226, 200))
    draw.ellipse((980, 60, 1120, 200), fill=(255, 200, 60))
    for person in range(9):
        x = 90 + person * 120 + rng.randint(-15, 15)
        tall = rng.randint(0, 70)
        draw.ellipse((x, 330 + tall, x + 60, 390 + tall), fill=(240, 200, 170))
        draw.rounded_rectangle((x - 10, 390 + tall, x + 70, 560), radius=20, fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
