"""Activities and support: activities with participants and photos, the 留守儿童之家 log, aid, health
checks and exam results. Figures for reports come from activities.selectors. One module, as Django keeps
an app's models: five small sub-domains with their choices make it a little over 400 lines."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from caretrack.models import School, SchoolClass, Term
from children.models import Child

# --- Activities -----------------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    CLASS_MEETING = "class_meeting", "主题班会/队会"
    LECTURE = "lecture", "讲座"
    SPORTS = "sports", "文体活动与比赛"
    FESTIVAL = "festival", "节日慰问"
    HEALTH = "health", "体检"
    PRACTICE = "practice", "社会实践"
    PARENTS = "parents", "家长会/监护人培训"
    FAMILY = "family", "亲情活动"
    OTHER = "other", "其他"


class LectureTopic(models.TextChoices):
    PSYCHOLOGY = "psychology", "心理健康"
    LAW = "law", "法制"
    SAFETY = "safety", "安全"
    HYGIENE = "hygiene", "卫生"
    OTHER = "other", "其他"


class Activity(models.Model):
    """An activity of the school (school_class empty) or of one class, with the children who took part
    and head counts of the adults."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="activities", verbose_name="学校")
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name="班级",
        help_text="班级活动填写；全校活动留空",
    )
    title = models.CharField("活动名称", max_length=100)
    kind = models.CharField("活动类型", max_length=20, choices=ActivityKind.choices)
    topic = models.CharField("讲座主题", max_length=20, choices=LectureTopic.choices, blank=True)
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="组织者",
    )
    partners = models.CharField("合作单位", max_length=200, blank=True, help_text="如：县妇联、镇关工委、县检察院")
    description = models.TextField("活动内容", blank=True)
    outcome = models.TextField("活动效果", blank=True)
    guardians_count = models.PositiveIntegerField("参加的监护人（人）", default=0)
    volunteers_count = models.PositiveIntegerField("参加的志愿者（人）", default=0)
    teachers_count = models.PositiveIntegerField("参加的教师（人）", default=0)
    participants = models.ManyToManyField(
        Child, through="ActivityParticipant", related_name="activities", verbose_name="参加学生"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["school", "date"], name="activity_school_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def adults_count(self) -> int:
        return self.guardians_count + self.volunteers_count + self.teachers_count


class ActivityParticipant(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations", verbose_name="活动")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="participations", verbose_name="学生")

    class Meta:
        verbose_name = "参加学生"
        verbose_name_plural = "参加学生"
        constraints = [models.UniqueConstraint(fields=["activity", "child"], name="unique_activity_participant")]

    def __str__(self):
        return f"{self.child} @ {self.activity}"


class ActivityPhoto(models.Model):
    """A photo of an activity, shrunk and re-encoded as JPEG on upload (which also drops EXIF, GPS
    position included)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos", verbose_name="活动")
    image = models.ImageField("照片", upload_to="activities/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["activity", "pk"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.caption or self.activity.title


# --- 留守儿童之家 ----------------------------------------------------------------------------------


class CareRoomUse(models.TextChoices):
    READING = "reading", "阅读"
    FAMILY_CALLS = "family_calls", "亲情电话"
    SPORTS = "sports", "文体"
    TUTORING = "tutoring", "学习辅导"
    COUNSELLING = "counselling", "心理辅导"


# Field name on CareRoomOpening for each use (the same keys as CareRoomUse values).
CARE_ROOM_USE_FIELDS = [use.value for use in CareRoomUse]


class CareRoomOpening(models.Model):
    """One opening of the school's 留守儿童之家 with the number of children per use; the report sums
    them into 开放次数 and 接待人次."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="care_room_openings", verbose_name="学校")
    date = models.DateField("开放日期")
    duty_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="值班教师",
    )
    reading = models.PositiveSmallIntegerField("阅读（人次）", default=0)
    family_calls = models.PositiveSmallIntegerField("亲情电话（人次）", default=0)
    sports = models.PositiveSmallIntegerField("文体（人次）", default=0)
    tutoring = models.PositiveSmallIntegerField("学习辅导（人次）", default=0)
    counselling = models.PositiveSmallIntegerField("心理辅导（人次）", default=0)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="录入人"
    )

    class Meta:
        verbose_name = "留守儿童之家开放记录"
        verbose_name_plural = "留守儿童之家开放记录"
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="one_care_room_opening_per_day")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 留守儿童之家"

    @property
    def visits(self) -> int:
        return sum(getattr(self, name) for name in CARE_ROOM_USE_FIELDS)


# --- Aid ------------------------------------------------------------------------------------------


class AidKind(models.TextChoices):
    CASH = "cash", "现金"
    GOODS = "goods", "物品"
    FEE_WAIVER = "fee_waiver", "学杂费减免"
    MEALS = "meals", "营养餐"
    OTHER = "other", "其他"


class Aid(models.Model):
    """资助与慰问 given to one child: cash in yuan, or items with their value in yuan."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="aid", verbose_name="学生")
    date = models.DateField("日期")
    kind = models.CharField("资助类型", max_length=20, choices=AidKind.choices)
    amount = models.DecimalField(
        "金额或折合价值（元）",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), message="金额不能为负数。")],
    )
    items = models.CharField("物品", max_length=200, blank=True, help_text="如：书包1个、冬衣1套")
    donor = models.CharField("资助方", max_length=100, help_text="单位或个人，如：县妇联、爱心人士王先生")
    note = models.CharField("备注", max_length=200, blank=True)
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aid",
        verbose_name="所属活动",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "资助与慰问"
        verbose_name_plural = "资助与慰问"
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="aid_amount_not_negative")]
        indexes = [models.Index(fields=["child", "date"], name="aid_child_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.child} {self.get_kind_display()} {self.amount}元"

    def clean(self):
        if self.kind == AidKind.GOODS and not self.items:
            raise ValidationError({"items": "物品资助请填写物品名称和数量。"})


# --- Health checks --------------------------------------------------------------------------------


def plain_number(value) -> str:
    """Decimal("116.0") → "116", Decimal("4.8") → "4.8" for sentences such as 身高116cm."""
    return format(Decimal(value).normalize(), "f")


HEIGHT_RANGE = (Decimal("80"), Decimal("200"))
WEIGHT_RANGE = (Decimal("10"), Decimal("150"))
# Vision is written either on the 5-point scale (4.0–5.3) or as a decimal (0.1–2.0).
VISION_FIVE_POINT = (Decimal("4.0"), Decimal("5.3"))
VISION_DECIMAL = (Decimal("0.1"), Decimal("2.0"))


def validate_vision(value):
    if value is None:
        return
    if not (VISION_FIVE_POINT[0] <= value <= VISION_FIVE_POINT[1] or VISION_DECIMAL[0] <= value <= VISION_DECIMAL[1]):
        raise ValidationError(
            "视力应按五分记录（4.0–5.3）或小数记录（0.1–2.0）填写，当前为 %(value)s。",
            code="vision_range",
            params={"value": value},
        )


class HealthCheck(models.Model):
    """体检 of one child on one day."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="health_checks", verbose_name="学生")
    date = models.DateField("体检日期")
    height_cm = models.DecimalField(
        "身高（厘米）",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(HEIGHT_RANGE[0], message="身高应在80到200厘米之间。"),
            MaxValueValidator(HEIGHT_RANGE[1], message="身高应在80到200厘米之间。"),
        ],
    )
    weight_kg = models.DecimalField(
        "体重（千克）",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(WEIGHT_RANGE[0], message="体重应在10到150千克之间。"),
            MaxValueValidator(WEIGHT_RANGE[1], message="体重应在10到150千克之间。"),
        ],
    )
    vision_left = models.DecimalField(
        "左眼视力", max_digits=2, decimal_places=1, null=True, blank=True, validators=[validate_vision]
    )
    vision_right = models.DecimalField(
        "右眼视力", max_digits=2, decimal_places=1, null=True, blank=True, validators=[validate_vision]
    )
    findings = models.CharField("检查发现", max_length=200, blank=True, help_text="如：龋齿2颗、轻度近视")
    follow_up = models.CharField("后续处理", max_length=200, blank=True, help_text="如：已告知监护人，建议配镜")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "体检记录"
        verbose_name_plural = "体检记录"
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date"], name="one_health_check_per_child_day"),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True) | Q(height_cm__gte=80, height_cm__lte=200),
                name="health_height_range",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gte=10, weight_kg__lte=150),
                name="health_weight_range",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.child} 体检"

    @property
    def bmi(self) -> Decimal | None:
        if not self.height_cm or not self.weight_kg:
            return None
        metres = self.height_cm / 100
        return round(self.weight_kg / (metres * metres), 1)

    @property
    def summary(self) -> str:
        parts = []
        if self.height_cm:
            parts.append(f"身高{plain_number(self.height_cm)}cm")
        if self.weight_kg:
            parts.append(f"体重{plain_number(self.weight_kg)}kg")
        if self.vision_left or self.vision_right:
            parts.append(f"视力 左{self.vision_left or '—'} 右{self.vision_right or '—'}")
        return "，".join(parts)


# --- Exams ----------------------------------------------------------------------------------------


class ExamKind(models.TextChoices):
    MONTHLY = "monthly", "月考"
    MIDTERM = "midterm", "期中"
    FINAL = "final", "期末"
    OTHER = "other", "其他"


class Exam(models.Model):
    """An exam sat by the school in a term (月考, 期中, 期末); results are entered class by class."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="exams", verbose_name="学校")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="exams", verbose_name="学期")
    name = models.CharField("考试名称", max_length=50, help_text="如：十月月考、期中考试")
    kind = models.CharField("考试类型", max_length=10, choices=ExamKind.choices)
    date = models.DateField("考试日期")
    full_score = models.DecimalField(
        "满分（总分）",
        max_digits=6,
        decimal_places=1,
        default=Decimal("300"),
        validators=[MinValueValidator(Decimal("1"), message="满分应大于0。")],
        help_text="总分的满分，如语数英三科为300",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="录入人"
    )

    class Meta:
        verbose_name = "考试"
        verbose_name_plural = "考试"
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["school", "name", "date"], name="unique_exam_per_school")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class ExamResult(models.Model):
    """学业情况: one child's total score and/or class rank in one exam."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="results", verbose_name="考试")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="exam_results", verbose_name="学生")
    total_score = models.DecimalField(
        "总分",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="总分不能为负数。")],
    )
    class_rank = models.PositiveSmallIntegerField(
        "班级排名", null=True, blank=True, validators=[MinValueValidator(1, message="班级排名从1开始。")]
    )
    note = models.CharField("备注", max_length=100, blank=True)

    class Meta:
        verbose_name = "考试成绩"
        verbose_name_plural = "考试成绩"
        ordering = ["exam", "child"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "child"], name="one_result_per_exam_child"),
            models.CheckConstraint(
                condition=Q(total_score__isnull=False) | Q(class_rank__isnull=False),
                name="result_has_score_or_rank",
            ),
        ]

    def __str__(self):
        return f"{self.exam} {self.child}"

    def clean(self):
        if self.total_score is None and self.class_rank is None:
            raise ValidationError("请填写总分或班级排名。")
        if self.total_score is not None and self.exam_id and self.total_score > self.exam.full_score:
            raise ValidationError({"total_score": f"总分不能超过满分{self.exam.full_score}。"})
