"""Pairings, the cadence, concerns and the four logs (talks, home visits, family and guardian contacts).
One module, as Django keeps an app's models: it runs past 400 lines only because each log kind carries
its own choices."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from caretrack.models import School
from caretrack.uploads import private_storage
from children.models import ACTIVE_STATUSES, Child


class ExternalMentor(models.Model):
    """A volunteer outside the staff (妇联's 爱心妈妈, 村干部, 退休教师); the coordinator enters their logs."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="external_mentors", verbose_name="学校")
    name = models.CharField("姓名", max_length=30)
    organisation = models.CharField("所在单位", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "校外帮扶人"
        verbose_name_plural = "校外帮扶人"
        ordering = ["school", "name"]

    def __str__(self):
        return f"{self.name}（{self.organisation}）" if self.organisation else self.name


class PairingRole(models.TextChoices):
    CARING_MOTHER = "mother", "爱心妈妈"
    CARING_FATHER = "father", "爱心爸爸"
    PROXY_PARENT = "proxy", "代理家长"


class PairingQuerySet(models.QuerySet):
    def open_on(self, day: date) -> "PairingQuerySet":
        """Pairings running on `day`: started on or before it, not ended before it (the end day counts)."""
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def carried_on(self, day: date) -> "PairingQuerySet":
        """Pairings a mentor carries on `day`: started, not ended on or before it, of a child still on the
        roll (在读 or 休学). 我的学生, the mentor board, 待结对, a mentor's load against the school's cap and
        what a mentor may open read these: a pairing ended on `day` (the teacher left, the child graduated
        or moved, the coordinator ended it) stops counting that day. Term figures read open_on/overlapping,
        where the end day still counts."""
        return self.filter(start_date__lte=day, child__status__in=ACTIVE_STATUSES).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=day)
        )

    def overlapping(self, start: date, end: date) -> "PairingQuerySet":
        """Pairings running on at least one day of [start, end]."""
        return self.filter(start_date__lte=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))


class PairingEndReason(models.TextChoices):
    TERM_CHANGE = "term_change", "新学期调整结对"
    MENTOR_LEFT = "mentor_left", "教师离职"
    GRADUATED = "graduated", "学生毕业"
    TRANSFERRED = "transferred", "学生转学"
    NO_LONGER_LEFT_BEHIND = "not_left_behind", "不再属于留守儿童"
    OTHER = "other", "其他"


class Pairing(models.Model):
    """结对帮扶: a mentor (staff or external) paired with a child over a date range."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="pairings", verbose_name="学生")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name="帮扶教师",
    )
    external_mentor = models.ForeignKey(
        ExternalMentor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name="校外帮扶人",
    )
    role = models.CharField("称谓", max_length=10, choices=PairingRole.choices)
    is_secondary = models.BooleanField("第二帮扶人", default=False)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=20, choices=PairingEndReason.choices, blank=True)
    end_note = models.CharField("结束说明", max_length=200, blank=True)
    over_limit_reason = models.CharField("超出结对上限的理由", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["child", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(mentor__isnull=False) & Q(external_mentor__isnull=True))
                | (Q(mentor__isnull=True) & Q(external_mentor__isnull=False)),
                name="pairing_has_one_mentor",
            ),
            models.UniqueConstraint(
                fields=["child", "is_secondary"], condition=Q(end_date__isnull=True), name="one_open_pairing_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="pairing_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "end_date"], name="pairing_mentor_open")]

    def __str__(self):
        return f"{self.mentor_name} — {self.child}"

    @property
    def mentor_name(self) -> str:
        if self.mentor_id:
            return self.mentor.get_full_name() or self.mentor.get_username()
        return str(self.external_mentor)


# --- Cadence --------------------------------------------------------------------------------------


class CadenceKind(models.TextChoices):
    """The log kinds a cadence rule can ask for (the same keys as the logs' KIND)."""

    TALK = "talk", "谈心"
    VISIT = "visit", "家访"
    FAMILY = "family", "亲情联系"
    GUARDIAN = "guardian", "监护人沟通"


class CadencePer(models.TextChoices):
    WEEK = "week", "周"
    MONTH = "month", "月"
    TERM = "term", "学期"


# The most a rule may ask for in one period: a talk a day, ten contacts a month, six visits a term.
MAX_TIMES = {CadencePer.WEEK: 7, CadencePer.MONTH: 10, CadencePer.TERM: 6}

# A school without a rule for a kind uses these (the seeds' 每周谈心一次, 每学期家访一次,
# 每月亲情联系一次, 每月与监护人沟通一次).
DEFAULT_RULES = {
    CadenceKind.TALK: (1, CadencePer.WEEK),
    CadenceKind.VISIT: (1, CadencePer.TERM),
    CadenceKind.FAMILY: (1, CadencePer.MONTH),
    CadenceKind.GUARDIAN: (1, CadencePer.MONTH),
}


class CadenceRuleQuerySet(models.QuerySet):
    def for_schools(self, school_ids) -> dict[int, dict[str, "CadenceRule"]]:
        """Per school, its rule for every kind: the saved ones, the defaults (unsaved) for the rest. One query."""
        ids = list(school_ids)
        rules = {pk: {} for pk in ids}
        for rule in self.filter(school_id__in=ids):
            rules[rule.school_id][rule.kind] = rule
        for pk, found in rules.items():
            for kind, (times, per) in DEFAULT_RULES.items():
                found.setdefault(kind, CadenceRule(school_id=pk, kind=kind, times=times, per=per))
        return rules

    def for_school(self, school) -> dict[str, "CadenceRule"]:
        return self.for_schools([school.pk])[school.pk]


class CadenceRule(models.Model):
    """How often each child must get one kind of log: `times` per week, calendar month or term
    (每周谈心1次, 每月家访2次, 每学期家访1次). A per-term rule of N is paced over N equal parts of the
    term (the third of a term for 期初、期中、期末各1次), so a child falls overdue as soon as a part ends
    short, not only at the end of term. One row per school and kind; a missing row means the default."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="cadence_rules", verbose_name="学校")
    kind = models.CharField("工作", max_length=10, choices=CadenceKind.choices)
    times = models.PositiveSmallIntegerField("次数")
    per = models.CharField("周期", max_length=10, choices=CadencePer.choices)

    objects = CadenceRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶工作频次"
        verbose_name_plural = "帮扶工作频次"
        ordering = ["school", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="one_cadence_rule_per_kind"),
            models.CheckConstraint(
                condition=Q(times__gte=1)
                & (Q(per="week", times__lte=7) | Q(per="month", times__lte=10) | Q(per="term", times__lte=6)),
                name="cadence_rule_times_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.get_kind_display()}{self.text}"

    @property
    def text(self) -> str:
        """每周1次, 每月2次, 每学期1次."""
        return f"每{self.get_per_display()}{self.times}次"

    def clean(self):
        top = MAX_TIMES.get(self.per)
        if top is not None and self.times is not None and not 1 <= self.times <= top:
            raise ValidationError(
                {"times": f"{self.get_kind_display()}每{self.get_per_display()}应为1到{top}次，请您重新填写。"}
            )


# --- Concerns -------------------------------------------------------------------------------------


class ConcernCategory(models.TextChoices):
    PSYCHOLOGICAL = "psychological", "心理问题"
    CRISIS = "crisis", "心理危机"
    SELF_HARM = "self_harm", "自伤"
    SAFETY = "safety", "安全隐患"
    ACADEMIC = "academic", "学业下滑"
    ABUSE = "abuse", "疑似受侵害"
    OTHER = "other", "其他"


# Safeguarding: only the author, the coordinator, the principal and the case's assignee see these.
SENSITIVE_CATEGORIES = (ConcernCategory.ABUSE, ConcernCategory.CRISIS, ConcernCategory.SELF_HARM)


class ConcernRisk(models.TextChoices):
    URGENT = "urgent", "紧急"
    HIGH = "high", "较高"
    NORMAL = "normal", "一般"


RISK_RANK = {ConcernRisk.URGENT: 0, ConcernRisk.HIGH: 1, ConcernRisk.NORMAL: 2}
"""Lower is more serious: the 待处理 list sorts by it, and a raiser may not go below the default."""

# These categories are 紧急 from the moment they are raised.
URGENT_CATEGORIES = (ConcernCategory.CRISIS, ConcernCategory.ABUSE, ConcernCategory.SELF_HARM)


def default_risk(category: str) -> str:
    return ConcernRisk.URGENT if category in URGENT_CATEGORIES else ConcernRisk.NORMAL


class ConcernStatus(models.TextChoices):
    NEW = "new", "新报告"
    IN_PROGRESS = "in_progress", "处理中"
    REFERRED = "referred", "已转介"
    CLOSED = "closed", "已结案"


OPEN_STATUSES = (ConcernStatus.NEW, ConcernStatus.IN_PROGRESS, ConcernStatus.REFERRED)


class ConcernQuerySet(models.QuerySet):
    def open(self) -> "ConcernQuerySet":
        """Cases not yet closed (新报告, 处理中, 已转介): the 待处理 list, the menu count and the figures."""
        return self.exclude(status=ConcernStatus.CLOSED)

    def closed(self) -> "ConcernQuerySet":
        return self.filter(status=ConcernStatus.CLOSED)


class Concern(models.Model):
    """关注事项, handled as a case: raised from a log with a risk level, given a person responsible,
    worked through follow-up actions and referrals, closed with its outcome and reopened if need be."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="concerns", verbose_name="学生")
    category = models.CharField("类别", max_length=20, choices=ConcernCategory.choices)
    risk = models.CharField("风险等级", max_length=10, choices=ConcernRisk.choices, default=ConcernRisk.NORMAL)
    description = models.TextField("情况说明", blank=True)
    status = models.CharField("状态", max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    raised_on = models.DateField("提出日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_concerns",
        verbose_name="负责人",
    )
    action_taken = models.TextField("结案情况", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结案人",
    )
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    reopen_reason = models.CharField("重新打开的原因", max_length=200, blank=True)
    reopened_at = models.DateTimeField("重新打开时间", null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = "关注事项"
        verbose_name_plural = "关注事项"
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(action_taken="")),
                name="closed_concern_has_action",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "child"], name="concern_status_child"),
            models.Index(fields=["assigned_to", "status"], name="concern_assignee_status"),
        ]

    def __str__(self):
        return f"{self.child} {self.get_category_display()}（{self.get_status_display()}）"

    @property
    def is_sensitive(self) -> bool:
        return self.category in SENSITIVE_CATEGORIES

    @property
    def is_open(self) -> bool:
        return self.status != ConcernStatus.CLOSED

    @property
    def is_urgent(self) -> bool:
        return self.risk == ConcernRisk.URGENT


class CaseAction(models.Model):
    """A follow-up action on a case: what is to be done, by whom, by when; marked done with a note."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions", verbose_name="关注事项")
    what = models.CharField("跟进事项", max_length=200)
    who = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_actions", verbose_name="执行人"
    )
    due_on = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="添加人"
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "跟进事项"
        verbose_name_plural = "跟进事项"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["who", "done_on", "due_on"], name="caseaction_who_open")]

    def __str__(self):
        return f"{self.what}（{self.due_on:%Y-%m-%d}）"


class ReferralAgency(models.TextChoices):
    CHILD_DIRECTOR = "child_director", "村/社区儿童主任"
    CHILD_SUPERVISOR = "child_supervisor", "乡镇儿童督导员/民政"
    WOMENS_FEDERATION = "womens_federation", "妇联"
    POLICE = "police", "派出所"
    HEALTH = "health", "卫生院或心理咨询机构"
    JUDICIAL = "judicial", "司法机关"
    OTHER = "other", "其他"


class ReferralOutcome(models.TextChoices):
    PENDING = "pending", "等待回复"
    ACCEPTED = "accepted", "已接收"
    DECLINED = "declined", "未接收"


class Referral(models.Model):
    """转介: the case handed to an agency outside the school, with the contact and what came of it."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="referrals", verbose_name="关注事项")
    agency = models.CharField("转介机构", max_length=20, choices=ReferralAgency.choices)
    referred_on = models.DateField("转介日期")
    contact_person = models.CharField("对接人", max_length=50, blank=True)
    outcome = models.CharField(
        "转介结果", max_length=10, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_note = models.TextField("结果说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="转介人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "转介"
        verbose_name_plural = "转介"
        ordering = ["referred_on", "pk"]

    def __str__(self):
        return f"{self.get_agency_display()}（{self.referred_on:%Y-%m-%d}）"


# --- Logs -----------------------------------------------------------------------------------------


class AliveLogManager(models.Manager):
    """Soft-deleted logs stay in the table (and in the audit trail) but out of every ordinary query."""

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class IncludingDeletedManager(models.Manager):
    """Every log, deleted ones included: for the admin and the audit."""


def log_indexes(prefix: str) -> list[models.Index]:
    """A child's logs by date (the child page, badges), and a date range across schools first (the term
    figures of the county overview), the latter only over rows that are not deleted."""
    return [
        models.Index(fields=["child", "date"], name=f"{prefix}_child_date"),
        models.Index(fields=["date", "child"], condition=Q(is_deleted=False), name=f"{prefix}_date_child_live"),
    ]


class LogBase(models.Model):
    """What every log has: the day, the author, the text, and soft deletion. Each concrete log
    declares its own `child` foreign key so that child.talks, child.home_visits … read naturally."""

    date = models.DateField("日期")
    text = models.TextField("记录内容")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    external_mentor = models.ForeignKey(
        ExternalMentor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="校外帮扶人（代录）",
        help_text="校外帮扶人的记录由关爱工作负责人代为录入",
    )
    concern = models.OneToOneField(
        Concern, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="关注事项"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    is_deleted = models.BooleanField("已删除", default=False)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="删除人",
    )

    KIND = ""  # "talk", "visit", "family", "guardian": the chronology filter and URL names use it

    objects = AliveLogManager()
    all_objects = IncludingDeletedManager()

    class Meta:
        abstract = True
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self._meta.verbose_name} {self.child}"


class TalkTopic(models.TextChoices):
    STUDY = "study", "学习"
    LIFE = "life", "生活"
    PSYCHOLOGY = "psychology", "心理"
    SAFETY = "safety", "安全"
    FAMILY = "family", "亲情"
    HEALTH = "health", "健康"
    BEHAVIOUR = "behaviour", "行为习惯"


class TalkPlace(models.TextChoices):
    OFFICE = "office", "办公室"
    CLASSROOM = "classroom", "教室"
    CARE_ROOM = "care_room", "留守儿童之家"
    CAMPUS = "campus", "校园"
    HOME = "home", "学生家中"
    PHONE = "phone", "电话/视频"
    OTHER = "other", "其他"


class Mood(models.IntegerChoices):
    VERY_LOW = 1, "很低落"
    LOW = 2, "低落"
    CALM = 3, "平稳"
    GOOD = 4, "开心"
    VERY_GOOD = 5, "很开心"


class Talk(LogBase):
    """谈心记录."""

    KIND = "talk"
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="talks", verbose_name="学生")
    place = models.CharField("地点", max_length=20, choices=TalkPlace.choices, default=TalkPlace.OFFICE)
    topics = models.JSONField("谈心主题", default=list, blank=True)
    mood = models.PositiveSmallIntegerField("孩子情绪", choices=Mood.choices, default=Mood.CALM)
    follow_up_needed = models.BooleanField("需要跟进", default=False)

    class Meta(LogBase.Meta):
        verbose_name = "谈心记录"
        verbose_name_plural = "谈心记录"
        indexes = log_indexes("talk")

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(TalkTopic.choices)
        return [labels.get(t, t) for t in self.topics]


class VisitKind(models.TextChoices):
    OPENING = "opening", "期初家访"
    MIDTERM = "midterm", "期中家访"
    CLOSING = "closing", "期末家访"
    AD_HOC = "ad_hoc", "临时家访"


class HomeVisit(LogBase):
    """家访记录."""

    KIND = "visit"
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="home_visits", verbose_name="学生")
    kind = models.CharField("家访类型", max_length=10, choices=VisitKind.choices, default=VisitKind.OPENING)
    met_whom = models.CharField("接待人", max_length=100, help_text="如：奶奶王秀英")
    living_conditions = models.TextField("生活情况", blank=True)
    study_conditions = models.TextField("学习情况", blank=True)
    safety_hazards = models.TextField("发现的安全隐患", blank=True)
    guardian_requests = models.TextField("监护人的诉求", blank=True)
    follow_up_needed = models.BooleanField("需要跟进", default=False)

    class Meta(LogBase.Meta):
        verbose_name = "家访记录"
        verbose_name_plural = "家访记录"
        indexes = log_indexes("visit")


MAX_PHOTOS_PER_VISIT = 3


class HomeVisitPhoto(models.Model):
    """A photo taken on a home visit: shrunk and re-encoded as JPEG on upload (no EXIF, so no GPS position of
    the home), with a thumbnail. A child's home is private: both files live in a storage with no URL and
    are served only to whom may read the visit (mentoring.permissions.get_visit_photo_for_user)."""

    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="photos", verbose_name="家访记录")
    image = models.ImageField(
        "照片", upload_to="visits/%Y/%m/", storage=private_storage, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField("缩略图", upload_to="visits/%Y/%m/", storage=private_storage)
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "家访照片"
        verbose_name_plural = "家访照片"
        ordering = ["visit", "pk"]

    def __str__(self):
        return f"{self.visit} 照片"


class FamilyContactMethod(models.TextChoices):
    PHONE = "phone", "亲情电话"
    VIDEO = "video", "视频通话"
    LETTER = "letter", "书信"


class FamilyMember(models.TextChoices):
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"
    BOTH = "both", "父母"
    OTHER = "other", "其他亲人"


class FamilyContact(LogBase):
    """亲情联系: the child's call, video call or letter with the parents, arranged by the school."""

    KIND = "family"
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="family_contacts", verbose_name="学生")
    method = models.CharField(
        "方式", max_length=10, choices=FamilyContactMethod.choices, default=FamilyContactMethod.PHONE
    )
    with_whom = models.CharField("联系对象", max_length=10, choices=FamilyMember.choices, default=FamilyMember.BOTH)

    class Meta(LogBase.Meta):
        verbose_name = "亲情联系"
        verbose_name_plural = "亲情联系"
        indexes = log_indexes("family")


class GuardianContactMethod(models.TextChoices):
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "面谈"
    MESSAGE = "message", "微信/短信"
    MEETING = "meeting", "家长会"


class GuardianContact(LogBase):
    """监护人沟通: contact with the guardian by phone or in person."""

    KIND = "guardian"
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardian_contacts", verbose_name="学生")
    method = models.CharField(
        "方式", max_length=10, choices=GuardianContactMethod.choices, default=GuardianContactMethod.PHONE
    )
    guardian_name = models.CharField("监护人", max_length=30, blank=True)

    class Meta(LogBase.Meta):
        verbose_name = "监护人沟通"
        verbose_name_plural = "监护人沟通"
        indexes = log_indexes("guardian")


LOG_MODELS: dict[str, type[LogBase]] = {m.KIND: m for m in (Talk, HomeVisit, FamilyContact, GuardianContact)}


class LogSubmission(models.Model):
    """The key a phone made for one 保存 of a new log (a hidden field of the form). The offline outbox may
    send the same entry again (the connection dropped after the server saved it, or two tabs flushed at
    once): a repeat with the same author and key answers as saved and adds no second log."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="记录人"
    )
    key = models.UUIDField("提交标识")
    log_kind = models.CharField("记录类型", max_length=10, choices=CadenceKind.choices)
    log_id = models.PositiveIntegerField("记录编号")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "记录提交标识"
        verbose_name_plural = "记录提交标识"
        constraints = [models.UniqueConstraint(fields=["author", "key"], name="one_log_per_submission_key")]

    def __str__(self):
        return f"{self.author} {self.key}"

    @property
    def log(self) -> LogBase:
        return LOG_MODELS[self.log_kind].all_objects.get(pk=self.log_id)
