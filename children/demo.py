"""The archive's part of the demo: children with their families, registered as the first demo step in
ChildrenConfig.ready() (caretrack.demo builds the schools, classes and staff they belong to)."""

from __future__ import annotations

from datetime import date

from caretrack.demo import SURNAMES, VILLAGES, DemoContext
from caretrack.models import Gender
from children.models import (
    EVIDENCE_EXAMPLES,
    EVIDENCED_STATUSES,
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
    UnsupportedPeriod,
)
from children.services import classify_left_behind, name_initials
from guardians.regions import match_place

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


def seed_archive(ctx: DemoContext) -> None:
    """Enrol ctx.children pupils in the school's classes, about ctx.left_behind_share of them left behind,
    with parents, grandparents, guardians, assessments, hardships and 留守 periods since the previous term."""
    gen, school, classes, term, previous = ctx.gen, ctx.school, ctx.classes, ctx.term, ctx.previous_term
    n_children, share = ctx.children, ctx.left_behind_share
    rng = gen.rng
    today = gen.today
    places = [(match_place(text), weight) for text, weight in WORK_PLACES]

    def pick_place():
        return rng.choices([p for p, _ in places], weights=[w for _, w in places])[0]

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
            place = pick_place() if away else None
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
                if p.away_status in EVIDENCED_STATUSES:
                    p.status_evidence = EVIDENCE_EXAMPLES[p.away_status]
                    p.status_evidenced_on = previous.start_date
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
                    start_date=previous.start_date,
                    evidenced_on=previous.start_date,
                )
            )
            hardships[-1].evidence = HARDSHIP_EVIDENCE[hardships[-1].kind]
    unsupported = _seed_care_children(
        [c for c, lb, _ in plans if not lb], parents, guardians, assessments, hardships, since=previous.start_date
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
    UnsupportedPeriod.objects.bulk_create(unsupported)
    Child.objects.bulk_update([c for c, _, _ in plans], ["left_behind_type"], batch_size=1000)
    # Children who left during the previous term were transferred etc.: keep everyone enrolled here.
    Child.objects.filter(school=school).exclude(status=EnrolmentStatus.ENROLLED).update(status=EnrolmentStatus.ENROLLED)
    ctx.summary.children += n_children
    ctx.summary.left_behind += sum(1 for c, _, _ in plans if c.left_behind_type != LeftBehindType.NOT_LEFT_BEHIND)


HARDSHIP_EVIDENCE = {
    HardshipType.LOW_INCOME: "低保证",
    HardshipType.POVERTY: "乡镇防返贫监测认定",
    HardshipType.SERIOUS_ILLNESS: "医院诊断证明",
    HardshipType.DISABILITY: "残疾证",
}


def _seed_care_children(not_left_behind, parents, guardians, assessments, hardships, *, since):
    """A few children in our care who are not 留守 (no random draws, so the rest of the demo is unchanged):
    two 事实无人抚养 (father imprisoned and mother dead; both parents missing, assessed 无人监护 with no guardian:
    urgent, yet a complete archive) and one 困境 child with a disability. Returns their 事实无人抚养 periods."""
    if len(not_left_behind) < 3:
        return []
    by_child = {}
    for p in parents:
        by_child.setdefault(id(p.child), {})[p.role] = p
    first, second, third = not_left_behind[:3]
    situations = {
        first: {ParentRole.FATHER: AwayStatus.IMPRISONED, ParentRole.MOTHER: AwayStatus.DECEASED},
        second: {ParentRole.FATHER: AwayStatus.MISSING, ParentRole.MOTHER: AwayStatus.MISSING},
    }
    for child, statuses in situations.items():
        for role, status in statuses.items():
            parent = by_child[id(child)][role]
            parent.away_status, parent.has_guardianship_capacity = status, False
            parent.status_evidence = EVIDENCE_EXAMPLES[status]
            parent.status_confirmed_by = "乡镇人民政府" if status != AwayStatus.MISSING else "县公安局"
            parent.status_evidenced_on = since
    guardians.append(
        Guardian(
            child=first,
            name=f"{first.name[0]}桂英",
            relation=GuardianRelation.PATERNAL_GRANDMOTHER,
            age=68,
            phone="13807450001",
            address=first.current_address,
            since=since,
        )
    )
    for child, level in ((first, GuardianshipLevel.GUARDIAN_INSUFFICIENT), (second, GuardianshipLevel.NONE)):
        assessments.append(FamilyAssessment(child=child, guardianship_level=level, assessed_on=since))
    assessments.append(FamilyAssessment(child=third, guardianship_level=GuardianshipLevel.FAIR, assessed_on=since))
    guardians.append(
        Guardian(
            child=third,
            name=f"{third.name[0]}建国",
            relation=GuardianRelation.RELATIVE,
            age=45,
            phone="13807450002",
            address=third.current_address,
            since=since,
        )
    )
    hardships.append(
        ChildHardship(
            child=third,
            kind=HardshipType.DISABILITY,
            evidence=HARDSHIP_EVIDENCE[HardshipType.DISABILITY],
            evidenced_on=since,
            start_date=since,
        )
    )
    return [UnsupportedPeriod(child=child, start_date=since, reason="期初摸底排查") for child in situations]
