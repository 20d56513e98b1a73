from django.conf import settings
from django.db import models

from caretrack.models import School, Term
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
