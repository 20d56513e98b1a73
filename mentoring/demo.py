"""Demo pairings (and, as mentoring grows, a term of logs) for a demo school."""

from datetime import date, datetime, time

from django.utils import timezone

from caretrack.models import Gender, StaffProfile
from children.models import Child, LeftBehindType
from mentoring.models import CaseAction, ExternalMentor, Pairing, PairingRole, Referral, default_risk

EXTERNAL_ORGS = ["县妇联", "镇关工委", "村委会", "退休教师协会", "县团委青年志愿者"]


def seed_pairings(*, school, term, rng, today: date) -> None:
    """Pair about 93% of left-behind children: staff first (2–3 children each, the school limit), then
    external volunteers; the rest stay on the 待结对 list."""
    children = list(
        Child.objects.filter(school=school)
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .select_related("school_class")
        .order_by("school_class__grade", "pk")
    )
    rng.shuffle(children)
    limit = school.max_children_per_mentor
    staff = list(StaffProfile.objects.filter(school=school, is_teacher=True).select_related("user").order_by("pk"))
    # The named demo mentor gets exactly three children so the phone view has something to show.
    slots = []
    for profile in staff:
        slots += [profile] * (limit if rng.random() < 0.6 or profile.user.username == "bangfu" else limit - 1)
    pairings = []
    to_pair = children[: int(len(children) * 0.93)]
    for child, profile in zip(to_pair, slots, strict=False):
        role = PairingRole.CARING_MOTHER if profile.gender == Gender.FEMALE else PairingRole.CARING_FATHER
        pairings.append(Pairing(child=child, mentor=profile.user, role=role, start_date=term.start_date))
    rest = to_pair[len(pairings) :]
    externals = []
    for _ in range(0, len(rest), limit):
        externals.append(
            ExternalMentor(
                school=school,
                name=f"{rng.choice('王李张刘陈杨黄赵吴周')}{rng.choice(['桂芳', '秀兰', '建军', '春燕', '德华'])}",
                organisation=rng.choice(EXTERNAL_ORGS),
                phone=f"139{rng.randrange(10**8):08d}",
            )
        )
    ExternalMentor.objects.bulk_create(externals)
    for i, child in enumerate(rest):
        pairings.append(
            Pairing(
                child=child,
                external_mentor=externals[i // limit],
                role=PairingRole.PROXY_PARENT,
                start_date=term.start_date,
            )
        )
    Pairing.objects.bulk_create(pairings, batch_size=1000)


# --- A term of logs ---------------------------------------------------------------------------------

TALK_TEXTS = {
    "study": [
        "本周数学单元测验{score}分，比上次有进步。约定每天先完成作业再看电视。",
        "语文作文写了《我的妈妈》，写得很真挚。鼓励他多读课外书，借给他两本。",
        "最近上课走神，作业有两次没交。和他一起订了每天的学习计划。",
        "英语单词听写全对，表扬了他。他说想当老师。",
    ],
    "life": [
        "住校生活已经适应，会自己洗衣服。提醒天冷加衣。",
        "奶奶腿脚不好，周末要帮忙做家务。叮嘱注意用火用电安全。",
        "午饭吃得少，了解后是早上起晚没吃早饭，已和奶奶沟通。",
    ],
    "psychology": [
        "说想妈妈了，妈妈在{place}打工，春节才回来。鼓励他给妈妈写一封信。",
        "和同学闹了矛盾，心里委屈。听他讲完，教他怎样和同学道歉与和好。",
        "性格内向，课间常一个人。约好下周参加留守儿童之家的手工活动。",
    ],
    "safety": [
        "提醒放学后不去河边、水塘玩水，不骑摩托车，不和陌生人走。",
        "周末回家路远，叮嘱结伴而行，注意交通安全。",
    ],
    "family": [
        "上周和爸爸视频通话，很开心，说爸爸答应过年带他去县城。",
        "父母很少打电话，孩子有些失落。已联系父亲，请他每周至少打一次电话。",
    ],
}
VISIT_LIVING = [
    "砖混平房，居住条件一般，孩子有自己的床铺。",
    "与爷爷奶奶同住，家里收拾得干净整洁。",
    "家中较困难，靠爷爷种地和父母寄钱生活，已享受低保。",
]
VISIT_STUDY = ["有固定书桌，晚上奶奶无法辅导作业。", "没有书桌，在饭桌上写作业。", "作业能按时完成，家中有课外书。"]
VISIT_HAZARDS = ["", "", "", "屋后有水塘，已提醒监护人看护。", "电线老化裸露，已提醒尽快请电工检修。"]
VISIT_REQUESTS = ["希望老师多督促孩子完成作业。", "希望学校多组织孩子和父母通电话。", "无特别诉求。"]
GUARDIAN_TEXTS = [
    "电话沟通孩子近期在校表现，监护人表示会配合督促作业。",
    "监护人反映孩子在家玩手机时间长，约定周末限时使用。",
    "告知近期天气转凉和防溺水安全事项，监护人表示知晓。",
]
FAMILY_TEXTS = [
    "在留守儿童之家用亲情电话和父母通话约十分钟。",
    "在老师手机上和妈妈视频通话，妈妈叮嘱好好学习。",
    "给在外打工的爸爸写信，说了自己的学习和生活。",
]
# category: (weight, what the mentor wrote, what the coordinator did)
CONCERNS = {
    "psychological": (
        4,
        "近两周情绪低落，常一个人发呆，说想爸爸妈妈。",
        "已联系父母增加通话次数，心理老师每周谈话一次。",
    ),
    "academic": (3, "期中考试成绩明显下滑，作业经常不交。", "已安排学习小组结对帮扶，并与监护人沟通督促作业。"),
    "safety": (2, "周末常到村边水库玩水，监护人管不住。", "已上门向监护人讲解防溺水要求，签订安全承诺书。"),
    "other": (1, "校服和冬衣不够，天冷仍穿单衣。", "已通过学校资助发放冬衣一套。"),
    "crisis": (1, "在作文里写到“不想活了”，需要尽快干预。", "已转介县心理健康中心，父母已回家陪伴一周。"),
}


def seed_logs(*, school, term, rng, today: date) -> None:
    """A term of logs up to today: about 70% of mentors talk every week, 20% now and then, 10% rarely;
    visits at the start (and middle) of term, monthly guardian and family contacts, a few concerns."""
    from datetime import timedelta

    from django.db.models import DateTimeField, F
    from django.db.models.functions import Cast

    from children.models import Guardian
    from mentoring.models import (
        Concern,
        FamilyContact,
        GuardianContact,
        HomeVisit,
        Talk,
        TalkPlace,
        VisitKind,
    )
    from mentoring.periods import month_of, visit_windows

    end = min(today, term.end_date)
    if end < term.start_date:
        return
    coordinator = StaffProfile.objects.filter(school=school, is_coordinator=True).select_related("user").first()
    pairings = list(
        Pairing.objects.open_on(end)
        .filter(child__school=school)
        .select_related("mentor", "external_mentor")
        .order_by("pk")
    )
    guardians = {
        g.child_id: g for g in Guardian.objects.filter(child__school=school, until__isnull=True).order_by("since")
    }
    diligence: dict = {}
    talks, visits, family, guardian_contacts = [], [], [], []
    concern_logs = []
    windows = visit_windows(term.start_date, term.end_date, 3)

    def day_in(start: date, stop: date) -> date | None:
        start, stop = max(start, term.start_date), min(stop, end)
        if stop < start:
            return None
        return start + timedelta(days=rng.randrange((stop - start).days + 1))

    for pairing in pairings:
        author = pairing.mentor or (coordinator.user if coordinator else None)
        if author is None:
            continue
        key = pairing.mentor_id or f"x{pairing.external_mentor_id}"
        if key not in diligence:
            roll = rng.random()
            diligence[key] = 0.97 if roll < 0.7 else (0.6 if roll < 0.9 else 0.2)
            if pairing.mentor and pairing.mentor.username == "bangfu":
                diligence[key] = 0.97
        p = diligence[key]
        external = pairing.external_mentor
        child_id = pairing.child_id
        monday = term.start_date - timedelta(days=term.start_date.weekday())
        while monday <= end:
            is_current_week = monday <= end <= monday + timedelta(days=6)
            # This week is still open: about half the diligent mentors have already talked.
            chance = p * (0.5 if is_current_week else 1.0)
            if pairing.mentor and pairing.mentor.username == "bangfu" and is_current_week:
                chance = 0.0  # the demo mentor's phone shows 待谈心, ready for a first log
            if rng.random() < chance:
                day = day_in(monday, monday + timedelta(days=4))
                if day:
                    topic = rng.choice(list(TALK_TEXTS))
                    text = rng.choice(TALK_TEXTS[topic]).format(
                        score=rng.randrange(62, 99), place=rng.choice(["东莞", "义乌", "深圳", "苏州"])
                    )
                    mood = rng.choices([2, 3, 4, 5], weights=[1, 4, 4, 2])[0]
                    talk = Talk(
                        child_id=child_id,
                        author=author,
                        external_mentor=external,
                        date=day,
                        text=text,
                        place=rng.choice([TalkPlace.OFFICE, TalkPlace.CLASSROOM, TalkPlace.CARE_ROOM]),
                        topics=sorted({topic, rng.choice(list(TALK_TEXTS))}),
                        mood=mood,
                        follow_up_needed=mood <= 2,
                    )
                    talks.append(talk)
                    if rng.random() < 0.015:
                        concern_logs.append(talk)
            monday += timedelta(days=7)
        for window, kind in zip(windows, [VisitKind.OPENING, VisitKind.MIDTERM, VisitKind.CLOSING], strict=True):
            if window.start > end or rng.random() > (0.95 if p > 0.9 else p):
                continue
            day = day_in(window.start, window.start + timedelta(days=20))
            if day is None:
                continue
            guardian = guardians.get(child_id)
            visits.append(
                HomeVisit(
                    child_id=child_id,
                    author=author,
                    external_mentor=external,
                    date=day,
                    kind=kind,
                    met_whom=f"{guardian.get_relation_display()}{guardian.name}" if guardian else "孩子的爷爷",
                    text=f"{VisitKind(kind).label}，了解孩子在家的学习和生活情况。",
                    living_conditions=rng.choice(VISIT_LIVING),
                    study_conditions=rng.choice(VISIT_STUDY),
                    safety_hazards=rng.choice(VISIT_HAZARDS),
                    guardian_requests=rng.choice(VISIT_REQUESTS),
                )
            )
        month = month_of(term.start_date)
        while month.start <= end:
            if rng.random() < p:
                day = day_in(month.start, month.end)
                if day:
                    guardian = guardians.get(child_id)
                    guardian_contacts.append(
                        GuardianContact(
                            child_id=child_id,
                            author=author,
                            external_mentor=external,
                            date=day,
                            text=rng.choice(GUARDIAN_TEXTS),
                            guardian_name=guardian.name if guardian else "",
                        )
                    )
            if rng.random() < p:
                day = day_in(month.start, month.end)
                if day:
                    family.append(
                        FamilyContact(
                            child_id=child_id,
                            author=author,
                            external_mentor=external,
                            date=day,
                            text=rng.choice(FAMILY_TEXTS),
                            method=rng.choice(["phone", "phone", "video", "letter"]),
                        )
                    )
            month = month_of(month.end + timedelta(days=1))

    concerns = []
    for talk in concern_logs:
        category = rng.choices(list(CONCERNS), weights=[w for w, _, _ in CONCERNS.values()])[0]
        _, described, done = CONCERNS[category]
        closed = talk.date < end - timedelta(days=10) and rng.random() < 0.85
        concerns.append(
            Concern(
                child_id=talk.child_id,
                category=category,
                description=described,
                raised_by=talk.author,
                raised_on=talk.date,
                risk=default_risk(category),
                status="closed" if closed else ("in_progress" if coordinator else "new"),
                assigned_to=coordinator.user if coordinator else None,
                action_taken=done if closed else "",
                closed_by=coordinator.user if closed and coordinator else None,
                closed_at=timezone.make_aware(datetime.combine(talk.date + timedelta(days=3), time(16)))
                if closed
                else None,
            )
        )
    Concern.objects.bulk_create(concerns)
    for talk, concern in zip(concern_logs, concerns, strict=True):
        talk.concern = concern
    open_cases = [c for c in concerns if c.status != "closed"]
    seed_case_work(concerns=open_cases, rng=rng, today=end)
    Concern.objects.filter(pk__in=[c.pk for c in open_cases if c.status == "referred"]).update(status="referred")
    for model, rows in (
        (Talk, talks),
        (HomeVisit, visits),
        (GuardianContact, guardian_contacts),
        (FamilyContact, family),
    ):
        model.objects.bulk_create(rows, batch_size=1000)
        # Entered on the day of the talk, not today: the 7-day edit window reads created_at.
        model.objects.filter(child__school=school).update(created_at=Cast(F("date"), DateTimeField()))


# A follow-up for each open case (some overdue), and a referral for the sensitive ones.
CASE_ACTIONS = ["电话联系在外务工的父母，商量陪伴安排", "心理老师单独谈话一次", "再次家访，了解监护情况"]
REFERRALS = {"crisis": ("health", "县心理健康中心 张医生"), "abuse": ("police", "镇派出所 王警官")}
CHILD_DIRECTOR = ("child_director", "村儿童主任 李主任")


def seed_case_work(*, concerns, rng, today: date) -> None:
    """Open cases get a follow-up action (due a few days either side of today, so some are overdue), and
    心理危机 / 疑似受侵害 ones and every third other one a referral (the case is then 已转介: the caller saves
    the status)."""
    from datetime import timedelta

    actions, referrals = [], []
    for i, concern in enumerate(concerns):
        who = concern.assigned_to_id or concern.raised_by_id
        actions.append(
            CaseAction(
                concern=concern,
                what=rng.choice(CASE_ACTIONS),
                who_id=who,
                due_on=today + timedelta(days=rng.randint(-5, 7)),
                created_by_id=who,
            )
        )
        if concern.category in REFERRALS or i % 3 == 0:
            agency, contact = REFERRALS.get(concern.category, CHILD_DIRECTOR)
            referred_on = min(today, concern.raised_on + timedelta(days=1))
            referrals.append(
                Referral(
                    concern=concern, agency=agency, referred_on=referred_on, contact_person=contact, created_by_id=who
                )
            )
            concern.status = "referred"
    CaseAction.objects.bulk_create(actions)
    Referral.objects.bulk_create(referrals)


def seed(*, school, term, rng, today: date) -> None:
    seed_pairings(school=school, term=term, rng=rng, today=today)
    seed_logs(school=school, term=term, rng=rng, today=today)
