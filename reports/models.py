from django.conf import settings
from django.db import models
from django.utils import timezone

from caretrack.models import School, Semester, Term
from children.models import Child


class TermReport(models.Model):
    """The principal's edited text of a school's 工作总结 for one term. Blank sections are filled with the
    draft written from the figures when the report is shown or exported."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="term_reports", verbose_name="学校")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="reports", verbose_name="学期")
    situation = models.TextField("一、基本情况", blank=True)
    practices = models.TextField("二、主要做法", blank=True)
    results = models.TextField("三、工作成效", blank=True)
    plans = models.TextField("四、存在问题与下步打算", blank=True)
    show_full_names = models.BooleanField(
        "典型案例显示学生全名", default=False, help_text="默认只显示姓氏（如“王同学”）；教育局版始终只显示姓氏"
    )
    photos = models.JSONField(
        "选用的活动照片", default=list, blank=True, help_text='[{"id": 照片编号, "caption": "说明"}]'
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="修改人"
    )

    class Meta:
        verbose_name = "工作总结"
        verbose_name_plural = "工作总结"
        ordering = ["school", "-term__start_date"]
        constraints = [models.UniqueConstraint(fields=["school", "term"], name="one_report_per_school_term")]

    def __str__(self):
        return f"{self.school} {self.term} 工作总结"


class ReportCase(models.Model):
    """A case the coordinator picks for 三、工作成效: one child and what changed."""

    report = models.ForeignKey(TermReport, on_delete=models.CASCADE, related_name="cases", verbose_name="工作总结")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", verbose_name="学生")
    story = models.TextField("案例说明")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "典型案例"
        verbose_name_plural = "典型案例"
        ordering = ["report", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "child"], name="one_case_per_child_per_report")]

    def __str__(self):
        return f"{self.report}：{self.child}"


class SubmissionState(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"


class TermReportSubmission(models.Model):
    """A version of the 工作总结 the principal submitted to the county bureau, frozen: the text of every
    section and the figures as they stood, and the bureau copy PDF itself (kept in private storage, never
    served from MEDIA_URL), so what the bureau downloads is always this file, whatever is edited later."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name="学校")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", verbose_name="学期")
    number = models.PositiveSmallIntegerField("版本")
    sections = models.JSONField("各部分文字", default=list, help_text='[{"key": ..., "title": ..., "text": ...}]')
    figures = models.JSONField("提交时的数字", default=dict)
    bureau_copy = models.FileField("教育局版 PDF", upload_to="term_reports/submitted/")
    bureau_copy_sha256 = models.CharField("PDF 校验值", max_length=64)
    report_version = models.CharField("提交时的修改时间", max_length=40, help_text="工作总结在提交时的 updated_at")
    late = models.BooleanField("逾期提交", default=False)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )

    class Meta:
        verbose_name = "工作总结提交版本"
        verbose_name_plural = "工作总结提交版本"
        ordering = ["school", "term", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "term", "number"], name="one_submission_number_per_report"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="submission_number_from_one"),
        ]

    def __str__(self):
        return f"{self.school} {self.term} 工作总结 第{self.number}版"


class TermReportReturn(models.Model):
    """The bureau sent a submitted version back (退回) with its comment; the principal edits and submits anew."""

    submission = models.OneToOneField(
        TermReportSubmission, on_delete=models.CASCADE, related_name="return_note", verbose_name="提交版本"
    )
    comment = models.TextField("退回意见")
    returned_at = models.DateTimeField("退回时间", default=timezone.now)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="退回人"
    )

    class Meta:
        verbose_name = "工作总结退回"
        verbose_name_plural = "工作总结退回"

    def __str__(self):
        return f"{self.submission} 已退回"


class ReportDeadline(models.Model):
    """The bureau's deadline for the 工作总结 of a county term (one school year and semester; each school
    has its own Term row for it, see reports.selectors.TermKey)."""

    county = models.CharField("所属县（区）", max_length=50)
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    semester = models.PositiveSmallIntegerField("学期", choices=Semester.choices)
    due_on = models.DateField("截止日期")
    set_at = models.DateTimeField("设置时间", default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设置人"
    )

    class Meta:
        verbose_name = "工作总结截止日期"
        verbose_name_plural = "工作总结截止日期"
        ordering = ["county", "-start_year", "-semester"]
        constraints = [
            models.UniqueConstraint(fields=["county", "start_year", "semester"], name="one_deadline_per_county_term")
        ]

    def __str__(self):
        return f"{self.county} {self.start_year}-{self.semester} 截止 {self.due_on}"


class FiguresKind(models.TextChoices):
    """Which figures a row holds: the county overview's (no detail), or a school's dashboard and 工作总结."""

    COUNTY = "county", "县级总览"
    SCHOOL = "school", "学校统计"


class FiguresSnapshot(models.Model):
    """One school's figures for one window, as the scanning computation (reports.selectors.term_figures)
    gave them, stored by reports.figures_store: derived data that reports may own. A row is read only while
    its version is the school's stored version (caretrack.figure_versions), its day is the day asked for and
    its schema is the code's; otherwise that school alone is computed again and its row replaced."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name="学校")
    kind = models.CharField("用途", max_length=10, choices=FiguresKind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("结束日期")
    day = models.DateField("统计日")
    version = models.CharField("数据版本", max_length=32, blank=True)
    schema = models.CharField("结构版本", max_length=16)
    figures = models.JSONField("统计数据")
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "统计快照"
        verbose_name_plural = "统计快照"
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "start", "end"], name="figures_snapshot_one_per_window")
        ]

    def __str__(self):
        return f"{self.school_id} {self.kind} {self.start}–{self.end} @ {self.day}"
