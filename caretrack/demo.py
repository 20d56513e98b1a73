"""Believable demo data built by the project's own generator (never fetched). Deterministic for a given
--seed and date.

The core builds what it owns: schools, terms, staff accounts, classes, the leading group and the bureau
account. Every app above adds its own part (the archive its children and families; mentoring its
pairings and logs; activities, aid and exams; reports a drafted term report) through a step it
registers in its AppConfig.ready(); steps run in the order of INSTALLED_APPS, one transaction each.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

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


@dataclass
class DemoContext:
    """What a registered step gets for one school: the school and its two terms, its classes, how many
    children to enrol and what share of them are left behind, and the shared generator (names, phones,
    ID numbers and its rng)."""

    school: School
    term: Term
    previous_term: Term
    classes: list[SchoolClass]
    children: int
    left_behind_share: float
    gen: _Generator
    today: date
    summary: DemoSummary


DemoStep = Callable[[DemoContext], None]
# seed(*, school, term, rng, today): an app's data on top of a school whose archive exists.
SchoolSeed = Callable[..., None]
_STEPS: list[DemoStep] = []
_SEEDS: list[SchoolSeed] = []


def register(step: DemoStep) -> None:
    """Called by the archive in its AppConfig.ready(): step(ctx) enrols the school's children."""
    if step not in _STEPS:
        _STEPS.append(step)


def register_seed(seed: SchoolSeed) -> None:
    """Called by an app above the archive in its AppConfig.ready(): seed(school=, term=, rng=, today=)
    adds that app's data (pairings, logs, activities …) once the school's archive exists."""
    if seed not in _SEEDS:
        _SEEDS.append(seed)


DEMO_PASSWORD = "caretrack2026"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_BOY = "浩宇轩然子涵俊杰博文睿泽一鸣天佑梓豪晨阳家乐思远嘉懿煜城懿轩烨磊建华志强明亮子墨皓轩宇航"
GIVEN_GIRL = "欣怡梓涵诗涵雨桐可馨若曦紫萱佳怡心悦思彤语嫣梦瑶雨欣静怡子琪芷若诗琪婉清晓雯雅琪悦然"
ADULT_MALE = "建国志强国平卫东海军建华永红德明长春红兵小平国庆立新文革保国"
ADULT_FEMALE = "秀英桂兰玉兰秀珍凤英玉梅桂英淑珍丽华春梅金凤海燕红梅美玲翠花彩霞"

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
        self.username_counts: dict[str, int] = {}

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
    log=None,
) -> DemoSummary:
    """Build `schools` schools of `children` students each. The first school gets the named demo accounts."""
    today = today or timezone.localdate()
    gen = _Generator(seed, today)
    summary = DemoSummary()
    for index in range(schools):
        with transaction.atomic():
            school, accounts, term, previous, classes = _build_school(gen, index, children, teachers)
        summary.schools.append(school)
        summary.accounts.extend(accounts)
        for step in _STEPS:
            ctx = DemoContext(
                school=school,
                term=term,
                previous_term=previous,
                classes=classes,
                children=children,
                left_behind_share=left_behind_share,
                gen=gen,
                today=today,
                summary=summary,
            )
            with transaction.atomic():
                step(ctx)
        for seed_app in _SEEDS:
            with transaction.atomic():
                seed_app(school=school, term=term, rng=random.Random(seed * 1000 + index), today=today)
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


def _build_school(gen: _Generator, index: int, n_children: int, n_teachers: int):
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
    return school, accounts, term, previous, classes


def _bureau_user(schools: list[School]) -> tuple[str, str, str]:
    username = (
        "jiaoyuju" if not User.objects.filter(username="jiaoyuju").exists() else f"jiaoyuju{User.objects.count()}"
    )
    user = User(username=username, first_name="县教育局基教股", password=_demo_password_hash())
    user.save()
    # The demo bureau account also administers the county: it adds schools and their first principals.
    profile = StaffProfile.objects.create(
        user=user, school=None, is_bureau=True, is_bureau_admin=True, is_teacher=False
    )
    profile.bureau_schools.set(schools)
    return ("县教育局", username, "、".join(s.name for s in schools[:3]) + ("等" if len(schools) > 3 else ""))
