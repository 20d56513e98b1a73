from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from children.models import Child


class Region(models.Model):
    """Administrative divisions (province, city, county) for parents' work places, loaded from
    guardians/data/adcodes.csv by a data migration."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省级"
        CITY = 2, "地级"
        COUNTY = 3, "县级"

    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name


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
    OTHER = "other", "其他"


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
    home_visits_per_year = models.PositiveSmallIntegerField("每年回家次数", null=True, blank=True)
    income_band = models.CharField("年收入", max_length=10, choices=IncomeBand.choices, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    has_guardianship_capacity = models.BooleanField("有监护能力", default=True)
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

    def income_source_labels(self) -> list[str]:
        return [IncomeSource(v).label for v in self.income_sources if v in IncomeSource.values]

    def assistance_labels(self) -> list[str]:
        return [AssistanceKind(v).label for v in self.assistance if v in AssistanceKind.values]
