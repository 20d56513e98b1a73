"""The child archive: Child, its hardships and 留守 periods, and the family (parents, grandparents,
guardians, the family assessment). One module, as Django keeps an app's models; a little over 400 lines
because the official 登记表's fields and their choices live here."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from caretrack.models import Gender, School, SchoolClass
from guardians.models import Region

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族",
    "门巴族", "珞巴族", "基诺族",
]  # fmt: skip


class LeftBehindType(models.TextChoices):
    BOTH_AWAY = "both_away", "父母均外出"
    ONE_AWAY_OTHER_INCAPABLE = "one_away_incapable", "一方外出另一方无监护能力"
    ONE_AWAY = "one_away", "一方外出"
    NOT_LEFT_BEHIND = "none", "非留守"


LEFT_BEHIND_TYPES = [
    LeftBehindType.BOTH_AWAY,
    LeftBehindType.ONE_AWAY_OTHER_INCAPABLE,
    LeftBehindType.ONE_AWAY,
]


class SchoolingStatus(models.TextChoices):
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    DROPPED_OUT = "dropped_out", "失学辍学"
    OTHER = "other", "其他"


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "患慢性病"
    SERIOUS = "serious", "患重大疾病"
    DISABLED = "disabled", "残疾"


class Performance(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    AVERAGE = "average", "中等"
    POOR = "poor", "较差"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "在读"
    TRANSFERRED = "transferred", "转出"
    GRADUATED = "graduated", "毕业"
    SUSPENDED = "suspended", "休学"


class HardshipType(models.TextChoices):
    """困境儿童的类别 (国发〔2016〕36号: 因家庭贫困, 因自身残疾, 因家庭监护缺失或监护不当), as a school records them.
    事实无人抚养 is computed from the parents (UnsupportedPeriod); the kind stays for a 民政 decision recorded by
    hand or imported before the parents' statuses were kept."""

    LOW_INCOME = "low_income", "低保家庭"
    ORPHAN = "orphan", "孤儿"
    UNSUPPORTED = "unsupported", "事实无人抚养"
    DISABILITY = "disability", "残疾"
    SERIOUS_ILLNESS = "serious_illness", "重病"
    POVERTY = "poverty", "脱贫不稳定/边缘易致贫家庭"
    GUARDIANSHIP_LACKING = "guardianship", "家庭监护缺失或监护不当"
    OTHER = "other", "其他"


# The kinds the archive form offers: 事实无人抚养 follows from the parents' statuses, never ticked by hand.
RECORDED_HARDSHIP_TYPES = [kind for kind in HardshipType if kind != HardshipType.UNSUPPORTED]


# Enrolment states in which a child is this school's pupil today (休学 included: still counted and cared for).
ACTIVE_STATUSES = [EnrolmentStatus.ENROLLED, EnrolmentStatus.SUSPENDED]
LEFT_BEHIND_AGE_LIMIT = 16  # 国发〔2016〕13号: 不满十六周岁
CHILD_AGE_LIMIT = 18  # 困境儿童 and 事实无人抚养儿童 (民发〔2019〕62号): 未满十八周岁


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class ChildQuerySet(models.QuerySet):
    def enrolled(self) -> "ChildQuerySet":
        """Children at school today: neither transferred away nor graduated. A suspended child (休学) is still
        the school's pupil and still counted and cared for. Figures of a term use on_roll_between instead,
        so that a child who left later still counts in the terms they were here."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def on_roll_between(self, start, end) -> "ChildQuerySet":
        """Children who were this school's pupils on at least one day of [start, end]: joined on or before
        `end` and not gone before `start`. Past terms' figures read this, never the current status. A record
        that left without a date (转出/毕业 but no left_on: only hand-made rows, the migration dated the old
        ones) counts in no term, as before the dates were kept."""
        return (
            self.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=end))
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
            .filter(Q(status__in=ACTIVE_STATUSES) | Q(left_on__isnull=False))
        )

    def on_roll_on(self, day) -> "ChildQuerySet":
        return self.on_roll_between(day, day)

    def left_behind_between(self, start, end) -> "ChildQuerySet":
        """Children who were left-behind on at least one day between start and end (inclusive): a 留守 period
        covers that day and the child was under 16 on it. The age is read from the birth date here, so a
        child stops counting on the 16th birthday even before the period is closed."""
        return self.filter(left_behind_q(start, end))

    def left_behind_on(self, day) -> "ChildQuerySet":
        return self.left_behind_between(day, day)

    def unsupported_between(self, start, end) -> "ChildQuerySet":
        """事实无人抚养 on at least one day of [start, end] (see unsupported_q)."""
        return self.filter(unsupported_q(start, end))

    def unsupported_on(self, day) -> "ChildQuerySet":
        return self.unsupported_between(day, day)

    def in_hardship_between(self, start, end, kind: str | None = None) -> "ChildQuerySet":
        """困境儿童 on at least one day of [start, end] (see hardship_q)."""
        return self.filter(hardship_q(start, end, kind))

    def in_hardship_on(self, day, kind: str | None = None) -> "ChildQuerySet":
        return self.in_hardship_between(day, day, kind)

    def in_care_between(self, start, end) -> "ChildQuerySet":
        """The children in our care during [start, end]: 留守 ∪ 困境 ∪ 事实无人抚养 (in_care_q). The pairable
        population and the base of 结对率."""
        return self.filter(in_care_q(start, end))

    def in_care_on(self, day) -> "ChildQuerySet":
        """In our care on `day`, as the lists, badges and the pairing choices show it (in_care_on_q)."""
        return self.filter(in_care_on_q(day))


# The rules themselves, as conditions on Child, so a list can also annotate them as flags in its one query.


def left_behind_q(start, end) -> Q:
    periods = LeftBehindPeriod.objects.filter(child=OuterRef("pk"), start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    return Q(Exists(periods), birth_date__gt=years_before(start, LEFT_BEHIND_AGE_LIMIT))


def unsupported_q(start, end) -> Q:
    """事实无人抚养 on a day of [start, end] and under 18 then: a period computed from the parents
    (children.services.care.classify_unsupported) covers that day, or a 民政 decision of that kind was
    recorded as a hardship covering it."""
    periods = UnsupportedPeriod.objects.filter(child=OuterRef("pk")).overlapping(start, end)
    recorded = ChildHardship.records.filter(child=OuterRef("pk"), kind=HardshipType.UNSUPPORTED).overlapping(start, end)
    return (Q(Exists(periods)) | Q(Exists(recorded))) & Q(birth_date__gt=years_before(start, CHILD_AGE_LIMIT))


def hardship_q(start, end, kind: str | None = None) -> Q:
    """困境儿童 on a day of [start, end] and under 18 then: a recorded hardship (of `kind`, if given) covers
    that day. A record added today starts today, so an ended term's figures stay put."""
    records = ChildHardship.records.filter(child=OuterRef("pk")).overlapping(start, end)
    if kind:
        records = records.filter(kind=kind)
    return Q(Exists(records), birth_date__gt=years_before(start, CHILD_AGE_LIMIT))


def in_care_q(start, end) -> Q:
    return left_behind_q(start, end) | hardship_q(start, end) | unsupported_q(start, end)


def in_care_on_q(day) -> Q:
    """In our care on one day. 留守 reads the stored 留守类型 while the child is under 16, as every list does
    (children.services.reclassify_child keeps it equal to the open period's type); the figures of a window
    read the periods (in_care_q)."""
    left_behind = ~Q(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND) & Q(
        birth_date__gt=years_before(day, LEFT_BEHIND_AGE_LIMIT)
    )
    return left_behind | hardship_q(day, day) | unsupported_q(day, day)


class Child(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="children", verbose_name="学校")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="children", verbose_name="班级"
    )
    name = models.CharField("姓名", max_length=30)
    name_initials = models.CharField("姓名拼音首字母", max_length=30, blank=True, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=10, default="汉族", choices=[(e, e) for e in ETHNICITIES])
    id_number = models.CharField("身份证号", max_length=18, null=True, blank=True)
    has_hukou = models.BooleanField("是否登记户口", default=True)
    student_number = models.CharField("学籍号", max_length=30, blank=True)
    enrollment_date = models.DateField("入学日期", null=True, blank=True)
    schooling_status = models.CharField(
        "就学情况", max_length=20, choices=SchoolingStatus.choices, default=SchoolingStatus.PRIMARY
    )
    hukou_address = models.CharField("户籍地址", max_length=200, blank=True)
    current_address = models.CharField("现居住地址", max_length=200, blank=True)
    is_boarder = models.BooleanField("是否住校", default=False)
    health_status = models.CharField(
        "健康状况", max_length=20, choices=HealthStatus.choices, default=HealthStatus.HEALTHY
    )
    disability = models.CharField("残疾情况", max_length=100, blank=True)
    academic_performance = models.CharField("学习表现", max_length=20, choices=Performance.choices, blank=True)
    interests = models.CharField("特长爱好", max_length=200, blank=True)
    personality = models.TextField("性格与心理状况", blank=True)
    rewards = models.TextField("奖惩情况", blank=True)
    status = models.CharField(
        "在校状态", max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    # The dates this record was on this school's roll (null joined_on: from the start of the records). A
    # transfer ends one record and starts another at the receiving school (transferred_from), so each
    # school's past figures keep the child for the terms the child was there.
    joined_on = models.DateField("到校日期", null=True, blank=True, editable=False)
    left_on = models.DateField("离校日期", null=True, blank=True, editable=False)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        editable=False,
        verbose_name="转入前档案",
    )
    # Derived from the parents' records by children.services.reclassify_child; never typed by hand.
    left_behind_type = models.CharField(
        "留守类型",
        max_length=20,
        choices=LeftBehindType.choices,
        default=LeftBehindType.NOT_LEFT_BEHIND,
        editable=False,
        db_index=True,
    )
    # Raised by every write in children/services/: an edit page carries the version it showed, and a save
    # from a page opened before a colleague's save is refused instead of undoing it.
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="建档人"
    )
    history = HistoricalRecords(excluded_fields=["name_initials", "updated_at"])

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "学生档案"
        verbose_name_plural = "学生档案"
        ordering = ["school_class__grade", "school_class__number", "name"]
        constraints = [
            # Unique among active enrolments only: a transferred child's stub at the old school keeps the
            # number while the receiving school's record holds it too.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(id_number__isnull=False, status__in=ACTIVE_STATUSES),
                name="unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["school", "name", "birth_date"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="unique_child_per_school",
            ),
        ]
        indexes = [models.Index(fields=["school", "left_behind_type"], name="child_school_type")]

    def __str__(self):
        return self.name

    @property
    def is_left_behind(self) -> bool:
        return self.left_behind_type != LeftBehindType.NOT_LEFT_BEHIND


class DatedQuerySet(models.QuerySet):
    """Rows with start_date and end_date (null: still running)."""

    def overlapping(self, start, end) -> "DatedQuerySet":
        return self.filter(start_date__lte=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))

    def current(self) -> "DatedQuerySet":
        return self.filter(end_date__isnull=True)


class CurrentHardshipManager(models.Manager.from_queryset(DatedQuerySet)):
    """The default manager, and so `child.hardships`: the categories that apply now. Every reader of the
    archive (form, page, 台账, import matching, transfer) means those; the figures of a term read
    ChildHardship.records, which keeps the ended ones."""

    def get_queryset(self):
        return super().get_queryset().filter(end_date__isnull=True)


class ChildHardship(models.Model):
    """One 困境 category of a child, with its evidence (低保证, 残疾证 …), the day it was confirmed, and when it
    applied: ending one keeps the row (end_date), so a past term's figures do not change."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="hardships", verbose_name="学生")
    kind = models.CharField("困境类型", max_length=20, choices=HardshipType.choices)
    evidence = models.CharField("证明材料", max_length=100, blank=True, help_text="如：低保证、残疾证、民政认定文书")
    evidenced_on = models.DateField("认定日期", null=True, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)

    objects = CurrentHardshipManager()
    records = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = "困境类型"
        verbose_name_plural = "困境类型"
        base_manager_name = "records"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind"], condition=Q(end_date__isnull=True), name="unique_child_hardship"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="hardship_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class UnsupportedPeriod(models.Model):
    """When a child was 事实无人抚养 (民发〔2019〕62号), computed from the parents' statuses by
    children.services.care.classify_unsupported whenever the parents change, like LeftBehindPeriod; the
    evidence is on the parents (死亡证明, 判决书 … and its date)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="unsupported_periods", verbose_name="学生")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    reason = models.CharField("变更原因", max_length=200, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = "事实无人抚养时段"
        verbose_name_plural = "事实无人抚养时段"
        ordering = ["child", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="one_open_unsupported_period"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="unsupported_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.child} 事实无人抚养 {self.start_date}—{self.end_date or '至今'}"


class LeftBehindPeriod(models.Model):
    """When a child was left-behind, and of which type. Terms already past keep their figures because
    the figures read these periods, not the child's current type."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="left_behind_periods", verbose_name="学生")
    kind = models.CharField("留守类型", max_length=20, choices=LeftBehindType.choices)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    reason = models.CharField("变更原因", max_length=200, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True, help_text="如：年满16周岁、父亲返乡")

    class Meta:
        verbose_name = "留守时段"
        verbose_name_plural = "留守时段"
        ordering = ["child", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="one_open_left_behind_period"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="period_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"], name="period_dates")]

    def __str__(self):
        return f"{self.child} {self.get_kind_display()} {self.start_date}—{self.end_date or '至今'}"


# --- The family: parents, grandparents, guardians and the family assessment ---------------------------


class Education(models.TextChoices):
    NONE = "none", "未上学"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专"
    COLLEGE = "college", "大专及以上"


class ParentRole(models.TextChoices):
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"


class AwayStatus(models.TextChoices):
    WORKING_AWAY = "away", "外出务工"
    AT_HOME = "home", "在家"
    DECEASED = "deceased", "已故"
    IMPRISONED = "imprisoned", "服刑"
    MISSING = "missing", "失联"
    DETAINED = "detained", "强制隔离戒毒或被限制人身自由"
    SEVERELY_DISABLED = "disabled", "重残"
    SERIOUSLY_ILL = "ill", "重病"
    GUARDIANSHIP_REVOKED = "revoked", "被撤销监护资格"
    DEPORTED = "deported", "被遣送（驱逐）出境"
    OTHER = "other", "其他"


# 民发〔2019〕62号: a parent in one of these states does not bring the child up (事实无人抚养 when both are so, or
# one is and the other is dead); each needs its evidence (判决书, 残疾证 …) and the day it was confirmed.
NOT_RAISING_STATUSES = frozenset(
    {
        AwayStatus.IMPRISONED,
        AwayStatus.MISSING,
        AwayStatus.DETAINED,
        AwayStatus.SEVERELY_DISABLED,
        AwayStatus.SERIOUSLY_ILL,
        AwayStatus.GUARDIANSHIP_REVOKED,
        AwayStatus.DEPORTED,
    }
)
EVIDENCED_STATUSES = NOT_RAISING_STATUSES | {AwayStatus.DECEASED}
EVIDENCE_EXAMPLES = {
    AwayStatus.DECEASED: "死亡证明",
    AwayStatus.IMPRISONED: "判决书或服刑证明",
    AwayStatus.MISSING: "公安机关失联证明",
    AwayStatus.DETAINED: "强制隔离戒毒决定书",
    AwayStatus.SEVERELY_DISABLED: "残疾证",
    AwayStatus.SERIOUSLY_ILL: "医院诊断证明",
    AwayStatus.GUARDIANSHIP_REVOKED: "法院判决书",
    AwayStatus.DEPORTED: "遣送（驱逐）出境证明",
}


class IncomeBand(models.TextChoices):
    UNDER_10K = "lt10k", "1万元以下"
    FROM_10K = "10k_30k", "1—3万元"
    FROM_30K = "30k_50k", "3—5万元"
    FROM_50K = "50k_100k", "5—10万元"
    OVER_100K = "gt100k", "10万元以上"


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", "群众"
    CPC = "cpc", "中共党员"
    LEAGUE = "league", "共青团员"
    OTHER = "other", "其他"


class Parent(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parents", verbose_name="学生")
    role = models.CharField("身份", max_length=10, choices=ParentRole.choices)
    name = models.CharField("姓名", max_length=30, blank=True)
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    education = models.CharField("文化程度", max_length=10, choices=Education.choices, blank=True)
    occupation = models.CharField("职业", max_length=50, blank=True)
    away_status = models.CharField("外出状态", max_length=12, choices=AwayStatus.choices, default=AwayStatus.AT_HOME)
    work_province = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="务工省份",
        limit_choices_to={"level": 1},
    )
    work_city = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="务工城市",
        limit_choices_to={"level": 2},
    )
    work_county = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="务工区县",
        limit_choices_to={"level": 3},
    )
    employer = models.CharField("务工单位", max_length=100, blank=True)
    away_since = models.DateField("外出时间", null=True, blank=True)
    expected_return_on = models.DateField(
        "预计返乡时间", null=True, blank=True, help_text="过了这一天，新学期开始时会提醒您核实该生的留守状态"
    )
    home_visits_per_year = models.PositiveSmallIntegerField("每年回家次数", null=True, blank=True)
    income_band = models.CharField("年收入", max_length=10, choices=IncomeBand.choices, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    has_guardianship_capacity = models.BooleanField("有监护能力", default=True)
    status_evidence = models.CharField(
        "情况证明材料",
        max_length=100,
        blank=True,
        help_text="已故、服刑、失联、重残、重病等情况必填，如：死亡证明、判决书",
    )
    status_confirmed_by = models.CharField("认定单位或证明人", max_length=100, blank=True)
    status_evidenced_on = models.DateField("认定日期", null=True, blank=True)
    health = models.CharField("健康状况", max_length=50, blank=True)
    political_status = models.CharField("政治面貌", max_length=10, choices=PoliticalStatus.choices, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "父母信息"
        verbose_name_plural = "父母信息"
        ordering = ["child", "role"]
        constraints = [models.UniqueConstraint(fields=["child", "role"], name="one_father_one_mother")]

    def __str__(self):
        return f"{self.child}的{self.get_role_display()}"

    @property
    def work_place(self) -> str:
        """The most specific known work place, e.g. 广东省东莞市."""
        parts = [r.name for r in (self.work_province, self.work_city, self.work_county) if r is not None]
        return "".join(parts)

    @property
    def is_away(self) -> bool:
        return self.away_status == AwayStatus.WORKING_AWAY

    @property
    def can_guard(self) -> bool:
        return self.has_guardianship_capacity and self.away_status in (AwayStatus.AT_HOME, AwayStatus.OTHER)


class GrandparentRole(models.TextChoices):
    PATERNAL_GRANDFATHER = "pgf", "祖父"
    PATERNAL_GRANDMOTHER = "pgm", "祖母"
    MATERNAL_GRANDFATHER = "mgf", "外祖父"
    MATERNAL_GRANDMOTHER = "mgm", "外祖母"


class Grandparent(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="grandparents", verbose_name="学生")
    role = models.CharField("称谓", max_length=3, choices=GrandparentRole.choices)
    name = models.CharField("姓名", max_length=30, blank=True)
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    is_alive = models.BooleanField("健在", default=True)
    lives_with_child = models.BooleanField("与儿童同住", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "祖辈信息"
        verbose_name_plural = "祖辈信息"
        ordering = ["child", "role"]
        constraints = [models.UniqueConstraint(fields=["child", "role"], name="unique_grandparent_role")]

    def __str__(self):
        return f"{self.child}的{self.get_role_display()}"


class GuardianRelation(models.TextChoices):
    PATERNAL_GRANDFATHER = "pgf", "祖父"
    PATERNAL_GRANDMOTHER = "pgm", "祖母"
    MATERNAL_GRANDFATHER = "mgf", "外祖父"
    MATERNAL_GRANDMOTHER = "mgm", "外祖母"
    RELATIVE = "relative", "亲戚"
    NEIGHBOUR = "neighbour", "邻居"
    OTHER = "other", "其他"


class Guardian(models.Model):
    """委托监护人/临时监护人. A change of guardian ends the current row (until, change_reason) and starts a
    new one, so the archive keeps every guardian the child has had."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardians", verbose_name="学生")
    name = models.CharField("姓名", max_length=30)
    relation = models.CharField("与儿童关系", max_length=10, choices=GuardianRelation.choices)
    age = models.PositiveSmallIntegerField("年龄", null=True, blank=True)
    education = models.CharField("文化程度", max_length=10, choices=Education.choices, blank=True)
    health = models.CharField("健康状况", max_length=50, blank=True)
    occupation = models.CharField("职业", max_length=50, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    agreement_signed = models.BooleanField("已签订监护协议", default=False)
    since = models.DateField("监护开始日期")
    until = models.DateField("监护结束日期", null=True, blank=True)
    change_reason = models.CharField("变更原因", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "委托监护人"
        verbose_name_plural = "委托监护人"
        ordering = ["child", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(until__isnull=True), name="one_current_guardian"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_relation_display()}）"


class GuardianshipLevel(models.TextChoices):
    NONE = "none", "无人监护"
    PARENT_INCAPABLE = "parent_incapable", "父或母无监护能力"
    GUARDIAN_INSUFFICIENT = "insufficient", "受委托监护人监护能力不足"
    FAIR = "fair", "监护情况一般"
    GOOD = "good", "监护情况较好"


# Levels that are highlighted wherever the child appears.
ALERT_GUARDIANSHIP_LEVELS = (GuardianshipLevel.NONE, GuardianshipLevel.GUARDIAN_INSUFFICIENT)


class IncomeSource(models.TextChoices):
    MIGRANT_WORK = "migrant_work", "打工收入"
    FARMING = "farming", "种养殖业"
    GOVERNMENT = "government", "政府救助"
    RELATIVES = "relatives", "亲朋接济"
    OTHER = "other", "其他"


class AssistanceKind(models.TextChoices):
    DIBAO = "dibao", "低保"
    TEMPORARY = "temporary", "临时救助"
    MEDICAL = "medical", "医疗救助"
    HOUSING = "housing", "住房救助"
    OTHER = "other", "其他"


class FamilyAssessment(models.Model):
    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="assessment", verbose_name="学生")
    guardianship_level = models.CharField("监护类型", max_length=20, choices=GuardianshipLevel.choices)
    income_sources = models.JSONField("家庭经济来源", default=list, blank=True)
    assistance = models.JSONField("救助帮扶情况", default=list, blank=True)
    assessed_on = models.DateField("评估日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "家庭监护评估"
        verbose_name_plural = "家庭监护评估"

    def __str__(self):
        return f"{self.child}：{self.get_guardianship_level_display()}"

    @property
    def is_alert(self) -> bool:
        return self.guardianship_level in ALERT_GUARDIANSHIP_LEVELS

    @property
    def is_unguarded(self) -> bool:
        """无人监护: urgent wherever the child appears, and no guardian to record (a complete archive without one)."""
        return self.guardianship_level == GuardianshipLevel.NONE

    def income_source_labels(self) -> list[str]:
        return [IncomeSource(v).label for v in self.income_sources if v in IncomeSource.values]

    def assistance_labels(self) -> list[str]:
        return [AssistanceKind(v).label for v in self.assistance if v in AssistanceKind.values]


# --- The school year: transfers between schools, 升年级 -----------------------------------------------


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    DECLINED = "declined", "已拒绝"
    CANCELLED = "cancelled", "已撤回"


class TransferRequest(models.Model):
    """转出 to another school on this installation: the sending school asks, the receiving principal accepts
    (the child's archive moves to a new record there, the old one stays as a read-only stub) or declines."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="transfer_requests", verbose_name="学生")
    from_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name="转出学校")
    to_school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="incoming_transfers", verbose_name="转入学校"
    )
    status = models.CharField("状态", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    transfer_on = models.DateField("转学日期")
    note = models.CharField("说明", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decline_reason = models.CharField("拒绝原因", max_length=200, blank=True)
    new_record = models.OneToOneField(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="转入后档案"
    )

    class Meta:
        verbose_name = "转学申请"
        verbose_name_plural = "转学申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="pending"), name="one_pending_transfer_per_child"
            ),
        ]

    def __str__(self):
        return f"{self.child} {self.from_school} → {self.to_school}"


class PromotionRun(models.Model):
    """One 升年级 of a school at the end of a school year, with what it changed so that it can be undone on
    the same day. `changes` lists the classes moved up, the classes and children graduated and the head
    teachers released; `backup` is the database copy taken just before."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="promotions", verbose_name="学校")
    school_year = models.PositiveSmallIntegerField("学年起始年份", help_text="2025 表示 2025-2026学年结束时升级")
    run_on = models.DateField("执行日期")
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="执行人"
    )
    changes = models.JSONField("变更内容", default=dict)
    backup = models.CharField("升级前备份", max_length=300, blank=True)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "升年级记录"
        verbose_name_plural = "升年级记录"
        ordering = ["-run_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], condition=Q(undone_at__isnull=True), name="one_promotion_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}学年升年级"
