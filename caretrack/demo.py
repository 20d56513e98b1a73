"""Believable demo data built by the project's own generator (never fetched): schools with classes,
teachers, left-behind children whose parents work in real provinces, guardians who are mostly
grandparents, pairings and incomplete archives. Deterministic for a given --seed and date.

Other apps extend the demo through EXTENSIONS: each is "module.function" called as
fn(school=..., term=..., rng=..., today=...) after the school's archive exists.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from caretrack.models import (
    Gender,
    LeadingGroupMember,
    LeadingGroupPosition,
    School,
    SchoolClass,
    StaffProfile,
    Term,
)
from caretrack.validation import make_id_number
from children.models import (
    AssistanceKind,
    AwayStatus,
    Child,
    ChildHardship,
    Education,
    EnrolmentStatus,
    FamilyAssessment,
    Grandparent,
    GrandparentRole,
    Guardian,
    GuardianRelation,
    GuardianshipLevel,
    HardshipType,
    IncomeBand,
    IncomeSource,
    LeftBehindPeriod,
    LeftBehindType,
    Parent,
    ParentRole,
    Performance,
)
from children.services import classify_left_behind, name_initials
from guardians.regions import match_place

EXTENSIONS = [
    "mentoring.demo.seed",
    "activities.demo.seed",
    "reports.demo.seed",
]

DEMO_PASSWORD = "caretrack2026"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_BOY = "浩宇轩然子涵俊杰博文睿泽一鸣天佑梓豪晨阳家乐思远嘉懿煜城懿轩烨磊建华志强明亮子墨皓轩宇航"
GIVEN_GIRL = "欣怡梓涵诗涵雨桐可馨若曦紫萱佳怡心悦思彤语嫣梦瑶雨欣静怡子琪芷若诗琪婉清晓雯雅琪悦然"
ADULT_MALE = "建国志强国平卫东海军建华永红德明长春红兵小平国庆立新文革保国"
ADULT_FEMALE = "秀英桂兰玉兰秀珍凤英玉梅桂英淑珍丽华春梅金凤海燕红梅美玲翠花彩霞"

# Where the parents of the seed schools' children work (广东东莞, 浙江义乌 …), with rough weights.
WORK_PLACES = [
    ("广东东莞", 14), ("广东深圳", 12), ("广东广州", 10), ("广东佛山", 6), ("浙江义乌", 8), ("浙江宁波", 5),
    ("浙江杭州", 5), ("江苏苏州", 7), ("江苏昆山", 3), ("上海浦东新区", 5), ("福建厦门", 4), ("福建晋江", 3),
    ("北京朝阳区", 3), ("湖南长沙", 5), ("湖北武汉", 3), ("广西南宁", 2), ("天津滨海新区", 2), ("新疆乌鲁木齐", 1),
    ("四川成都", 2), ("海南海口", 1),
]  # fmt: skip
EMPLOYERS = [
    "电子厂",
    "制衣厂",
    "建筑工地",
    "物流公司",
    "餐饮店",
    "鞋厂",
    "家具厂",
    "小商品市场",
    "装修队",
    "快递站",
    "玩具厂",
]
VILLAGES = ["青山村", "石门村", "桃源村", "新塘村", "长岭村", "白沙村", "黄土坡村", "枫树湾村", "龙潭村", "梅花村"]
HOME_REGION = "431224"  # 湖南省怀化市溆浦县: the demo county


@dataclass
class DemoSummary:
    schools: list[School] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, school)
    children: int = 0
    left_behind: int = 0


def current_term_dates(today: date) -> tuple[int, int, date, date]:
    """(start_year, semester, start, end) of the term containing today (autumn term Sept–Jan)."""
    if today.month >= 9 or today.month == 1 or (today.month == 2 and today.day < 20):
        start_year = today.year if today.month >= 9 else today.year - 1
        return start_year, 1, date(start_year, 9, 1), date(start_year + 1, 1, 20)
    return today.year - 1, 2, date(today.year, 2, 20), date(today.year, 7, 5)


class _Generator:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.used_ids: set[str] = set()
        self.places = [(match_place(text), weight) for text, weight in WORK_PLACES]
        self.username_counts: dict[str, int] = {}

    def pick_place(self):
        match = self.rng.choices([p for p, _ in self.places], weights=[w for _, w in self.places])[0]
        return match

    def child_name(self, gender: str) -> str:
        given = GIVEN_BOY if gender == Gender.MALE else GIVEN_GIRL
        start = self.rng.randrange(0, len(given) // 2) * 2
        name = self.rng.choice(SURNAMES) + (given[start : start + 2] if self.rng.random() < 0.7 else given[start])
        return name

    def adult_name(self, surname: str, gender: str) -> str:
        pool = ADULT_MALE if gender == Gender.MALE else ADULT_FEMALE
        start = self.rng.randrange(0, len(pool) // 2) * 2
        return surname + pool[start : start + 2]

    def phone(self) -> str:
        return self.rng.choice(["138", "139", "150", "151", "155", "158", "177", "181", "186", "187", "199"]) + "".join(
            str(self.rng.randrange(10)) for _ in range(8)
        )

    def id_number(self, birth: date, gender: str) -> str:
        for seq in range(self.rng.randrange(0, 400), 500):
            number = make_id_number(HOME_REGION, birth, seq, gender)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
        return ""

    def username(self, base: str) -> str:
        count = self.username_counts.get(base, 0) + 1
        self.username_counts[base] = count
        return base if count == 1 else f"{base}{count}"


def build_demo(
    *,
    schools: int = 1,
    children: int = 1200,
    teachers: int = 60,
    seed: int = 2026,
    today: date | None = None,
    left_behind_share: float = 0.28,
    extensions: bool = True,
    log=None,
) -> DemoSummary:
    """Build `schools` schools of `children` students each. The first school gets the named demo accounts."""
    today = today or timezone.localdate()
    gen = _Generator(seed, today)
    summary = DemoSummary()
    for index in range(schools):
        with transaction.atomic():
            school, accounts, term = _build_school(gen, index, children, teachers, left_behind_share)
        summary.schools.append(school)
        summary.accounts.extend(accounts)
        if extensions:
            for path in EXTENSIONS:
                try:
                    extend = import_string(path)
                except ImportError:
                    continue
                with transaction.atomic():
                    extend(school=school, term=term, rng=random.Random(seed * 1000 + index), today=today)
        if log:
            log(f"  {school.name}: {children} 名学生")
    if summary.schools:
        summary.accounts.append(_bureau_user(summary.schools))
        if not User.objects.filter(username="admin").exists():
            # The installation's administrator: Django admin for schools, classes, terms and staff accounts.
            User.objects.create(
                username="admin",
                first_name="系统管理员",
                password=_demo_password_hash(),
                is_staff=True,
                is_superuser=True,
            )
            summary.accounts.append(("系统管理员（后台）", "admin", "/admin/"))
    summary.children = Child.objects.filter(school__in=summary.schools).count()
    summary.left_behind = (
        Child.objects.filter(school__in=summary.schools)
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .count()
    )
    return summary


SCHOOL_NAMES = [
    "溆浦县思蒙镇中心小学",
    "溆浦县桥江镇第一小学",
    "溆浦县龙潭镇中心小学",
    "溆浦县低庄镇中心小学",
    "溆浦县双井镇中心小学",
    "溆浦县大江口镇中心小学",
    "溆浦县祖市殿镇中心小学",
    "溆浦县观音阁镇中心小学",
]


def _school_name(index: int) -> str:
    if index < len(SCHOOL_NAMES):
        return SCHOOL_NAMES[index]
    return f"溆浦县第{index + 1}完全小学"


@functools.cache
def _demo_password_hash() -> str:
    # Hashing once: PBKDF2 per demo user would make a county-scale demo take minutes.
    return make_password(DEMO_PASSWORD)


def _make_user(gen: _Generator, username: str, full_name: str, school: School | None, gender: str, **roles) -> User:
    user = User(username=username, first_name=full_name, password=_demo_password_hash())
    user.save()
    StaffProfile.objects.create(user=user, school=school, gender=gender, phone=gen.phone(), **roles)
    return user


def _build_school(gen: _Generator, index: int, n_children: int, n_teachers: int, share: float):
    rng = gen.rng
    school = School.objects.create(
        name=_school_name(index),
        county="溆浦县",
        address=f"湖南省怀化市溆浦县{VILLAGES[index % len(VILLAGES)]}",
        enrolled_students=n_children,
    )
    start_year, semester, start, end = current_term_dates(gen.today)
    previous_start = date(start_year, 2, 20) if semester == 1 else date(start_year, 9, 1)
    previous_end = date(start_year, 7, 5) if semester == 1 else date(start_year + 1, 1, 20)
    previous = Term.objects.create(
        school=school,
        start_year=start_year - 1 if semester == 1 else start_year,
        semester=2 if semester == 1 else 1,
        start_date=previous_start,
        end_date=previous_end,
    )
    term = Term.objects.create(
        school=school, start_year=start_year, semester=semester, start_date=start, end_date=end, is_current=True
    )
    prefix = "" if index == 0 else f"s{index + 1}_"
    accounts = []
    principal = _make_user(
        gen,
        gen.username(f"{prefix}xiaozhang"),
        gen.adult_name(rng.choice(SURNAMES), Gender.MALE),
        school,
        Gender.MALE,
        is_principal=True,
    )
    coordinator = _make_user(
        gen,
        gen.username(f"{prefix}deyu"),
        gen.adult_name(rng.choice(SURNAMES), Gender.FEMALE),
        school,
        Gender.FEMALE,
        is_coordinator=True,
    )
    accounts += [("校长", principal.username, school.name), ("关爱工作负责人", coordinator.username, school.name)]
    teachers = [principal, coordinator]
    for t in range(n_teachers - 2):
        gender = Gender.FEMALE if rng.random() < 0.65 else Gender.MALE
        teachers.append(
            _make_user(
                gen, gen.username(f"{prefix}t{t + 1:03d}"), gen.adult_name(rng.choice(SURNAMES), gender), school, gender
            )
        )
    classes = []
    grades = range(1, 7)
    per_grade = 3
    head_pool = teachers[2:]
    for g in grades:
        for number in range(1, per_grade + 1):
            head = head_pool[len(classes)] if len(classes) < len(head_pool) else None
            classes.append(SchoolClass.objects.create(school=school, grade=g, number=number, head_teacher=head))
    if index == 0 and head_pool:
        # Named demo accounts: the head teacher of 三年级(1)班 and a mentor who heads no class.
        cls = classes[6]
        cls.head_teacher.username = "banzhuren"
        cls.head_teacher.save(update_fields=["username"])
        accounts.append(("班主任", "banzhuren", school.name))
        mentor = teachers[-1]
        mentor.username = "bangfu"
        mentor.save(update_fields=["username"])
        accounts.append(("帮扶教师", "bangfu", school.name))
    LeadingGroupMember.objects.bulk_create([
        LeadingGroupMember(school=school, user=principal, position=LeadingGroupPosition.LEADER, title="校长",
                           responsibility="全面负责关爱留守儿童工作", order=1),
        LeadingGroupMember(school=school, user=coordinator, position=LeadingGroupPosition.DEPUTY, title="德育主任",
                           responsibility="建档、结对帮扶、活动组织与考核", order=2),
        *[LeadingGroupMember(school=school, user=cls.head_teacher, position=LeadingGroupPosition.MEMBER,
                             title=f"{cls}班主任", responsibility="本班留守儿童摸底、谈心家访", order=10 + i)
          for i, cls in enumerate(classes[:6]) if cls.head_teacher],
    ])  # fmt: skip
    _build_children(gen, school, classes, n_children, share, term, previous)
    return school, accounts, term


def _build_children(gen, school, classes, n_children, share, term, previous):
    rng = gen.rng
    today = gen.today
    kids, parents, guardians, grandparents, assessments, hardships, periods = [], [], [], [], [], [], []
    plans = []
    seen: set[tuple[str, date]] = set()
    for i in range(n_children):
        cls = classes[i % len(classes)]
        gender = Gender.MALE if rng.random() < 0.52 else Gender.FEMALE
        age = 5 + cls.grade + (1 if today.month < 9 else 0)
        birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        name = gen.child_name(gender)
        while (name, birth) in seen:
            name = gen.child_name(gender)
        seen.add((name, birth))
        left_behind = rng.random() < share
        surname = name[0]
        child = Child(
            school=school,
            school_class=cls,
            name=name,
            name_initials=name_initials(name),
            gender=gender,
            birth_date=birth,
            id_number=gen.id_number(birth, gender) if rng.random() < 0.8 else None,
            student_number=f"G{birth:%Y%m%d}{i:04d}",
            enrollment_date=date(birth.year + 6, 9, 1),
            hukou_address=f"溆浦县{rng.choice(VILLAGES)}{rng.randint(1, 12)}组",
            is_boarder=cls.grade >= 5 and rng.random() < 0.3,
            academic_performance=rng.choice(Performance.values),
            interests=rng.choice(["", "画画", "跳绳", "唱歌", "篮球", "阅读", "书法"]),
        )
        child.current_address = child.hukou_address
        plans.append((child, left_behind, surname))
        kids.append(child)
    Child.objects.bulk_create(kids, batch_size=500)
    # Names must be unique per school with the birth date; the generator may repeat a pair, so skip dupes.
    for child, left_behind, surname in plans:
        father_away = left_behind and rng.random() < 0.9
        mother_away = left_behind and (not father_away or rng.random() < 0.75)
        mother_incapable = left_behind and father_away and not mother_away
        for role, away, g in (
            (ParentRole.FATHER, father_away, Gender.MALE),
            (ParentRole.MOTHER, mother_away, Gender.FEMALE),
        ):
            place = gen.pick_place() if away else None
            p = Parent(
                child=child,
                role=role,
                name=gen.adult_name(surname if role == ParentRole.FATHER else rng.choice(SURNAMES), g),
                birth_year=child.birth_date.year - rng.randint(22, 34),
                education=rng.choice(Education.values[1:4]),
                occupation="务工" if away else "务农",
                away_status=AwayStatus.WORKING_AWAY if away else AwayStatus.AT_HOME,
                employer=rng.choice(EMPLOYERS) if away else "",
                work_province_id=place.province_code if place else None,
                work_city_id=place.city_code if place else None,
                work_county_id=place.county_code if place else None,
                away_since=date(rng.randint(2016, 2024), rng.randint(1, 12), 1) if away else None,
                home_visits_per_year=rng.choice([1, 1, 1, 2, 2, 3]) if away else None,
                income_band=rng.choice(IncomeBand.values[:3]),
                phone=gen.phone(),
            )
            if role == ParentRole.MOTHER and mother_incapable:
                p.away_status = rng.choice([AwayStatus.AT_HOME, AwayStatus.DECEASED, AwayStatus.MISSING])
                p.has_guardianship_capacity = False
                p.health = "长期患病" if p.away_status == AwayStatus.AT_HOME else ""
            parents.append(p)
        kind = classify_left_behind(
            parents=parents[-2:],
            birth_date=child.birth_date,
            on=today,
            counts_one_parent_away=school.counts_one_parent_away,
        )
        child.left_behind_type = kind
        if kind == LeftBehindType.NOT_LEFT_BEHIND:
            continue
        periods.append(LeftBehindPeriod(child=child, kind=kind, start_date=previous.start_date, reason="期初摸底排查"))
        # About 7% of archives miss one item (guardian phone, assessment, work place) for a believable 建档率.
        gap = rng.random()
        relation = rng.choices(
            [
                GuardianRelation.PATERNAL_GRANDMOTHER,
                GuardianRelation.PATERNAL_GRANDFATHER,
                GuardianRelation.MATERNAL_GRANDMOTHER,
                GuardianRelation.MATERNAL_GRANDFATHER,
                GuardianRelation.RELATIVE,
            ],
            weights=[40, 25, 15, 10, 10],
        )[0]
        g_gender = (
            Gender.FEMALE
            if relation in (GuardianRelation.PATERNAL_GRANDMOTHER, GuardianRelation.MATERNAL_GRANDMOTHER)
            else Gender.MALE
        )
        guardians.append(
            Guardian(
                child=child,
                name=gen.adult_name(surname if relation in ("pgf", "pgm") else rng.choice(SURNAMES), g_gender),
                relation=relation,
                age=rng.randint(55, 78) if relation != GuardianRelation.RELATIVE else rng.randint(30, 50),
                education=rng.choice([Education.NONE, Education.PRIMARY, Education.PRIMARY, Education.JUNIOR]),
                health=rng.choice(["良好", "良好", "一般", "高血压", "腿脚不便"]),
                occupation="务农",
                address=child.current_address,
                phone="" if gap < 0.03 else gen.phone(),
                agreement_signed=rng.random() < 0.85,
                since=previous.start_date,
            )
        )
        if relation in (GuardianRelation.PATERNAL_GRANDMOTHER, GuardianRelation.PATERNAL_GRANDFATHER):
            grandparents.append(
                Grandparent(
                    child=child,
                    role=GrandparentRole(relation),
                    name=guardians[-1].name,
                    birth_year=today.year - guardians[-1].age,
                    lives_with_child=True,
                )
            )
        if not 0.03 <= gap < 0.05:
            level = rng.choices(GuardianshipLevel.values, weights=[2, 6, 10, 45, 37])[0]
            assessments.append(
                FamilyAssessment(
                    child=child,
                    guardianship_level=level,
                    income_sources=[IncomeSource.MIGRANT_WORK] + ([IncomeSource.FARMING] if rng.random() < 0.5 else []),
                    assistance=[AssistanceKind.DIBAO] if rng.random() < 0.12 else [],
                    assessed_on=term.start_date,
                )
            )
        if rng.random() < 0.12:
            hardships.append(
                ChildHardship(
                    child=child,
                    kind=rng.choice([HardshipType.LOW_INCOME, HardshipType.POVERTY, HardshipType.SERIOUS_ILLNESS]),
                )
            )
    # A few children whose father came home during the previous term: they left the programme on that
    # date, and the previous term's figures still count them.
    returners = [c for c, lb, _ in plans if lb and c.left_behind_type == LeftBehindType.BOTH_AWAY][:3]
    came_home = previous.start_date + (previous.end_date - previous.start_date) / 2
    for child in returners:
        child.left_behind_type = LeftBehindType.NOT_LEFT_BEHIND
        for period in periods:
            if period.child is child:
                period.end_date = came_home
                period.reason = "父亲返乡就业"
        for p in parents:
            if p.child is child and p.role == ParentRole.FATHER:
                p.away_status, p.work_province_id, p.work_city_id, p.work_county_id = (
                    AwayStatus.AT_HOME,
                    None,
                    None,
                    None,
                )
    Parent.objects.bulk_create(parents, batch_size=1000)
    Guardian.objects.bulk_create(guardians, batch_size=1000)
    Grandparent.objects.bulk_create(grandparents, batch_size=1000)
    FamilyAssessment.objects.bulk_create(assessments, batch_size=1000)
    ChildHardship.objects.bulk_create(hardships, batch_size=1000)
    LeftBehindPeriod.objects.bulk_create(periods, batch_size=1000)
    Child.objects.bulk_update([c for c, _, _ in plans], ["left_behind_type"], batch_size=1000)
    # Children who left during the previous term were transferred etc.: keep everyone enrolled here.
    Child.objects.filter(school=school).exclude(status=EnrolmentStatus.ENROLLED).update(status=EnrolmentStatus.ENROLLED)


def _bureau_user(schools: list[School]) -> tuple[str, str, str]:
    username = (
        "jiaoyuju" if not User.objects.filter(username="jiaoyuju").exists() else f"jiaoyuju{User.objects.count()}"
    )
    user = User(username=username, first_name="县教育局基教股", password=_demo_password_hash())
    user.save()
    profile = StaffProfile.objects.create(user=user, school=None, is_bureau=True, is_teacher=False)
    profile.bureau_schools.set(schools)
    return ("县教育局", username, "、".join(s.name for s in schools[:3]) + ("等" if len(schools) > 3 else ""))
