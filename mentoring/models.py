from django.conf import settings
from django.db import models
from django.db.models import Q

from caretrack.models import School
from children.models import Child


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
    over_limit_reason = models.CharField("超出结对上限的理由", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

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
