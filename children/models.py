from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from caretrack.models import Gender, School, SchoolClass

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
    LOW_INCOME = "low_income", "低保家庭"
    ORPHAN = "orphan", "孤儿"
    UNSUPPORTED = "unsupported", "事实无人抚养"
    DISABILITY = "disability", "残疾"
    SERIOUS_ILLNESS = "serious_illness", "重病"
    POVERTY = "poverty", "脱贫不稳定/边缘易致贫家庭"
    OTHER = "other", "其他"


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
    # Derived from the parents' records by children.services.reclassify_child; never typed by hand.
    left_behind_type = models.CharField(
        "留守类型",
        max_length=20,
        choices=LeftBehindType.choices,
        default=LeftBehindType.NOT_LEFT_BEHIND,
        editable=False,
        db_index=True,
    )
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="建档人"
    )
    history = HistoricalRecords(excluded_fields=["name_initials", "updated_at"])

    class Meta:
        verbose_name = "学生档案"
        verbose_name_plural = "学生档案"
        ordering = ["school_class__grade", "school_class__number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=Q(id_number__isnull=False), name="unique_id_number"
            ),
            models.UniqueConstraint(fields=["school", "name", "birth_date"], name="unique_child_per_school"),
        ]
        indexes = [models.Index(fields=["school", "left_behind_type"], name="child_school_type")]

    def __str__(self):
        return self.name

    @property
    def is_left_behind(self) -> bool:
        return self.left_behind_type != LeftBehindType.NOT_LEFT_BEHIND


class ChildHardship(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="hardships", verbose_name="学生")
    kind = models.CharField("困境类型", max_length=20, choices=HardshipType.choices)

    class Meta:
        verbose_name = "困境类型"
        verbose_name_plural = "困境类型"
        constraints = [models.UniqueConstraint(fields=["child", "kind"], name="unique_child_hardship")]

    def __str__(self):
        return self.get_kind_display()


class LeftBehindPeriod(models.Model):
    """When a child was left-behind, and of which type. Terms already past keep their figures because
    the figures read these periods, not the child's current type."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="left_behind_periods", verbose_name="学生")
    kind = models.CharField("留守类型", max_length=20, choices=LeftBehindType.choices)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    reason = models.CharField("变更原因", max_length=200, blank=True)

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
