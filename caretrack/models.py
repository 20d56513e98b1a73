from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class GradeSpan(models.TextChoices):
    PRIMARY = "primary", "小学（一至六年级）"
    JUNIOR = "junior", "初中（七至九年级）"
    NINE_YEAR = "nine_year", "九年一贯制（一至九年级）"


GRADE_RANGES = {GradeSpan.PRIMARY: (1, 6), GradeSpan.JUNIOR: (7, 9), GradeSpan.NINE_YEAR: (1, 9)}


class School(models.Model):
    name = models.CharField("学校名称", max_length=100, unique=True)
    county = models.CharField("所属县（区）", max_length=50)
    address = models.CharField("地址", max_length=200, blank=True)
    enrolled_students = models.PositiveIntegerField(
        "在校学生数", default=0, help_text="用于计算留守比例，即使并非每名学生都已录入系统"
    )
    counts_one_parent_away = models.BooleanField(
        "将“一方外出”计为留守",
        default=False,
        help_text="国发〔2016〕13号的口径不含此类；部分学校按本校口径将父母一方外出的学生也纳入关爱",
    )
    max_children_per_mentor = models.PositiveSmallIntegerField("每名帮扶教师结对上限", default=3)
    grade_span = models.CharField("学段", max_length=10, choices=GradeSpan.choices, default=GradeSpan.PRIMARY)

    class Meta:
        verbose_name = "学校"
        verbose_name_plural = "学校"
        ordering = ["county", "name"]

    def __str__(self):
        return self.name

    @property
    def grades(self) -> range:
        """The grades this school teaches, lowest first (小学 1–6, 初中 7–9, 九年一贯制 1–9)."""
        low, high = GRADE_RANGES[GradeSpan(self.grade_span)]
        return range(low, high + 1)

    @property
    def top_grade(self) -> int:
        return self.grades[-1]


class Grade(models.IntegerChoices):
    G1 = 1, "一年级"
    G2 = 2, "二年级"
    G3 = 3, "三年级"
    G4 = 4, "四年级"
    G5 = 5, "五年级"
    G6 = 6, "六年级"
    G7 = 7, "七年级"
    G8 = 8, "八年级"
    G9 = 9, "九年级"


class SchoolClassQuerySet(models.QuerySet):
    def active(self) -> "SchoolClassQuerySet":
        """Classes still taught: a class that graduated (升年级 from the top grade) keeps its name and its
        children's records but takes no new children and counts for no one's role."""
        return self.filter(graduated_on__isnull=True)


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes", verbose_name="学校")
    grade = models.PositiveSmallIntegerField("年级", choices=Grade.choices)
    number = models.PositiveSmallIntegerField("班号")
    head_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="head_of_classes",
        verbose_name="班主任",
    )
    enrolled_students = models.PositiveIntegerField(
        "在校学生数", null=True, blank=True, help_text="填写后，全校在校学生数按各班合计"
    )
    graduated_on = models.DateField("毕业日期", null=True, blank=True, editable=False)

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = "班级"
        verbose_name_plural = "班级"
        ordering = ["school", "grade", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "grade", "number"],
                condition=Q(graduated_on__isnull=True),
                name="unique_class_per_school",
            ),
        ]

    def __str__(self):
        return self.label(self.grade, self.number)

    @staticmethod
    def label(grade: int, number: int) -> str:
        """三年级(2)班: the one way a class is named, on pages, exports and figures."""
        return f"{Grade(grade).label}({number})班"


class Semester(models.IntegerChoices):
    FIRST = 1, "第一学期"
    SECOND = 2, "第二学期"


class TermQuerySet(models.QuerySet):
    def current(self, school) -> "Term | None":
        """The term the principal made current (at most one per school)."""
        return self.filter(school=school, is_current=True).first()

    def containing(self, day) -> "TermQuerySet":
        """Terms whose dates include `day`."""
        return self.filter(start_date__lte=day, end_date__gte=day)


class Term(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms", verbose_name="学校")
    start_year = models.PositiveSmallIntegerField("学年起始年份", help_text="2025 表示 2025-2026学年")
    semester = models.PositiveSmallIntegerField("学期", choices=Semester.choices)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    is_current = models.BooleanField("当前学期", default=False)
    # The school's 在校学生数 as it stood for this term (kept while the term is current, frozen after), so a
    # past term's 留守比例 does not move when the principal types next year's figure.
    enrolled_students = models.PositiveIntegerField("本学期在校学生数", null=True, blank=True, editable=False)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = "学期"
        verbose_name_plural = "学期"
        ordering = ["school", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start_year", "semester"], name="unique_term_per_school"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_current=True), name="one_current_term_per_school"
            ),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="term_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.start_year}-{self.start_year + 1}学年{self.get_semester_display()}"

    def contains(self, day) -> bool:
        return self.start_date <= day <= self.end_date


class StaffProfile(models.Model):
    """A user's school, contact and roles. Class teacher and mentor roles also follow from data
    (SchoolClass.head_teacher, Pairing.mentor); the flags here are the ones that cannot be derived."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name="用户"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name="学校"
    )
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_principal = models.BooleanField("校长/管理员", default=False)
    is_coordinator = models.BooleanField("关爱工作负责人", default=False)
    is_teacher = models.BooleanField("教师（可担任班主任、帮扶教师）", default=True)
    is_bureau = models.BooleanField("县教育局用户", default=False)
    bureau_schools = models.ManyToManyField(
        School, blank=True, related_name="bureau_users", verbose_name="教育局可查看的学校"
    )
    is_bureau_admin = models.BooleanField(
        "县教育局管理员", default=False, help_text="可新增学校及其第一个校长账号；不能查看任何学生信息"
    )
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    left_on = models.DateField("离职日期", null=True, blank=True)
    left_reason = models.CharField("离职原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "人员档案"
        verbose_name_plural = "人员档案"
        constraints = [
            # A bureau user belongs to no school; school staff always belong to one.
            models.CheckConstraint(
                condition=Q(is_bureau=True) | Q(school__isnull=False), name="staff_has_school_unless_bureau"
            ),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class LeadingGroupPosition(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"


class LeadingGroupMember(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="leading_group", verbose_name="学校")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="成员")
    position = models.CharField("职务", max_length=10, choices=LeadingGroupPosition.choices)
    title = models.CharField("校内职务", max_length=50, blank=True, help_text="如：校长、德育主任、教导主任")
    responsibility = models.CharField("分工职责", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "关爱工作领导小组成员"
        verbose_name_plural = "关爱工作领导小组"
        ordering = ["school", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="unique_leading_group_member"),
        ]

    def __str__(self):
        return f"{self.get_position_display()} {self.user.get_full_name()}"


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    VIEW_CHILD = "view_child", "查看学生完整档案"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    CHANGE = "change", "修改"
    DELETE = "delete", "删除"


class AuditEvent(models.Model):
    """Append-only record of every create, change and delete of archives, logs, pairings, concerns and
    aid, of every view or export of full identifiers, and of every import and export (README, "Audit").
    Row-level changes of archive models are also kept field by field by django-simple-history."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # PROTECT: a user who did something is deactivated, never deleted, so "who" is never lost.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="操作人"
    )
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="学校"
    )
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices)
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["school", "-at"], name="audit_school_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.target}"


class Notification(models.Model):
    """One message to one person, shown in the app. The key makes sending idempotent: a reminder sent twice
    (a second run of send_reminders the same day, a double submit) reaches nobody twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    key = models.CharField("消息标识", max_length=200)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    # What the school's group chat may read when the group robot posts this message; empty for a personal one.
    group_text = models.TextField("群消息内容", blank=True)
    urgent = models.BooleanField("紧急", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WEBHOOK = "webhook", "群机器人"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Delivery(models.Model):
    """A notification's delivery over a channel outside the app. A failed one stays FAILED with its error and
    is retried by the next send_reminders run; it never blocks saving the notification."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name="通知"
    )
    channel = models.CharField("渠道", max_length=10, choices=DeliveryChannel.choices)
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知投递"
        verbose_name_plural = "通知投递"
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="unique_delivery_channel")]

    def __str__(self):
        return f"{self.notification} · {self.get_channel_display()} · {self.get_status_display()}"


class FiguresVersion(models.Model):
    """The version of one school's figures kept in the database: renewed in the same transaction as every
    audited change of the school's data (caretrack.audit.record), so figures stored with an older version
    (reports' figures snapshots) are known to be out of date, whatever the cache holds or has lost."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name="学校"
    )
    token = models.CharField("版本", max_length=32)

    class Meta:
        verbose_name = "统计数据版本"
        verbose_name_plural = "统计数据版本"

    def __str__(self):
        return f"{self.school_id}: {self.token}"
