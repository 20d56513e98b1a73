"""升年级 at the end of a school year: every active class moves up one grade, the top grade's classes graduate
with their children (毕业, dated), and the whole run can be undone on the same day. The database is backed up
just before, and everything the run changed is written into its PromotionRun, so that the undo reverses
exactly that and nothing a colleague did since."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from caretrack import audit
from caretrack.backup import BackupError, backup_database, default_backup_dir
from caretrack.models import AuditAction, School, SchoolClass, Term
from children.lifecycle import LeavingReason, children_left, children_returned
from children.models import Child, EnrolmentStatus, PromotionRun
from children.services import save_children_rows

PROMOTION_REASON = "升年级"
UNDO_REASON = "撤销升年级"


@dataclass(frozen=True)
class ClassMove:
    class_id: int
    grade: int
    number: int
    children: int  # children on the roll who move with the class

    @property
    def label_from(self) -> str:
        return SchoolClass.label(self.grade, self.number)

    @property
    def label_to(self) -> str:
        return SchoolClass.label(self.grade + 1, self.number)


@dataclass(frozen=True)
class ClassGraduation:
    class_id: int
    grade: int
    number: int
    children: int  # children on the roll who graduate
    head_teacher: str  # the name shown; the head teacher is released from the class

    @property
    def label(self) -> str:
        return SchoolClass.label(self.grade, self.number)


@dataclass
class PromotionPreview:
    """What promote_school would do on `on`, and why it cannot (problems, in Chinese), if it cannot."""

    school: School
    on: date
    school_year: int
    moves: list[ClassMove] = field(default_factory=list)
    graduations: list[ClassGraduation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    previous_run: PromotionRun | None = None

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}-{self.school_year + 1}学年"

    @property
    def moving_children(self) -> int:
        return sum(m.children for m in self.moves)

    @property
    def graduating_children(self) -> int:
        return sum(g.children for g in self.graduations)

    @property
    def can_run(self) -> bool:
        return not self.problems


def school_year_of(*, school: School, on: date) -> int:
    """The school year that ends with this 升年级: the start year of the school's latest term begun by `on`;
    without terms, the year that started the previous September (or this one, from August on)."""
    term = Term.objects.filter(school=school, start_date__lte=on).order_by("-start_date").first()
    if term is not None:
        return term.start_year
    return on.year - 1 if on.month < 8 else on.year


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def promotion_preview(*, school: School, on: date) -> PromotionPreview:
    """For every active class, its grade now and next; the top grade's classes (school.top_grade, or any
    class whose next grade is beyond the school's span) graduate with their children on the roll. Problems
    that block the run: already run for this school year (when, by whom), or no class to move. A school
    without children can be promoted (its classes move up)."""
    year = school_year_of(school=school, on=on)
    preview = PromotionPreview(school=school, on=on, school_year=year)
    classes = list(SchoolClass.objects.active().filter(school=school).select_related("head_teacher"))
    on_roll = dict(
        _count_by_class(Child.objects.enrolled().filter(school=school, school_class__in=[c.pk for c in classes]))
    )
    for cls in sorted(classes, key=lambda c: (-c.grade, c.number)):
        children = on_roll.get(cls.pk, 0)
        if cls.grade + 1 > school.top_grade:
            preview.graduations.append(
                ClassGraduation(cls.pk, cls.grade, cls.number, children, _person(cls.head_teacher))
            )
        else:
            preview.moves.append(ClassMove(cls.pk, cls.grade, cls.number, children))
    previous = (
        PromotionRun.objects.filter(school=school, school_year=year, undone_at__isnull=True)
        .select_related("performed_by")
        .first()
    )
    if previous is not None:
        preview.previous_run = previous
        preview.problems.append(
            f"本校{preview.school_year_label}已于 {previous.run_on:%Y-%m-%d} 由 {_person(previous.performed_by)} "
            "执行过升年级，不能重复执行。"
        )
    if not classes:
        preview.problems.append("本校没有在用的班级，无需升年级。")
    return preview


def _count_by_class(children) -> list[tuple[int, int]]:
    return list(children.order_by().values("school_class").annotate(n=Count("pk")).values_list("school_class", "n"))


def _backup() -> str:
    """A copy of the whole database taken just before the run, under BACKUP_DIR (a setting or the
    environment) or backups/ beside the code; its path is kept on the run. A database held only in memory
    (the test suite's) has nothing to copy. A backup that fails stops the 升年级 before anything changes."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return ""
    out_dir = getattr(settings, "BACKUP_DIR", None) or default_backup_dir()
    try:
        return str(backup_database(out_dir=out_dir, media=False, prefix="caretrack-before-promotion").path)
    except BackupError as error:
        raise ValidationError(f"升年级前的自动备份失败：{error} 未作任何更改，请处理后重试。") from error


def promote_school(*, school: School, on: date, acting_user) -> PromotionRun:
    """升年级 of `school` on `on`: a database backup first, then in one transaction the top grade's classes
    graduate (graduated_on, head teacher released) with their children on the roll (毕业, left_on = `on`,
    and the apps above told, so pairings end), and every other active class moves up one grade. Everything
    changed is kept in PromotionRun.changes, with one audit row. Refused (ValidationError, nothing changed)
    when the preview has problems, e.g. a second run for the same school year."""
    preview = promotion_preview(school=school, on=on)
    if preview.problems:
        raise ValidationError(preview.problems)
    backup = _backup()
    return _promote(school=school, on=on, acting_user=acting_user, backup=backup)


@transaction.atomic
def _promote(*, school: School, on: date, acting_user, backup: str) -> PromotionRun:
    school = School.objects.select_for_update().get(pk=school.pk)  # two runs of one school queue here
    preview = promotion_preview(school=school, on=on)  # again, inside the lock: a double submit stops here
    if preview.problems:
        raise ValidationError(preview.problems)
    classes = {c.pk: c for c in SchoolClass.objects.select_for_update().filter(school=school).active()}
    graduating_ids = [g.class_id for g in preview.graduations]
    graduates = list(
        Child.objects.select_for_update().enrolled().filter(school_class__in=graduating_ids).order_by("pk")
    )
    changes = {
        "on": on.isoformat(),
        "graduated_classes": [
            {"class": cid, "grade": classes[cid].grade, "number": classes[cid].number,
             "head_teacher": classes[cid].head_teacher_id}
            for cid in graduating_ids
        ],
        "moved_classes": [
            {"class": m.class_id, "number": m.number, "from": m.grade, "to": m.grade + 1} for m in preview.moves
        ],
        "graduated_children": [
            {"child": c.pk, "status": c.status, "left_on": c.left_on.isoformat() if c.left_on else None}
            for c in graduates
        ],
    }  # fmt: skip

    # Graduating classes first: they leave the unique (school, grade, number) of active classes, so the
    # class below can take their grade.
    for cid in graduating_ids:
        cls = classes[cid]
        cls.graduated_on, cls.head_teacher = on, None
        cls.full_clean(validate_unique=False, validate_constraints=False)
        cls.save(update_fields=["graduated_on", "head_teacher"])
    for child in graduates:
        child.status, child.left_on = EnrolmentStatus.GRADUATED, on
    save_children_rows(
        children=graduates, fields=["status", "left_on"], history_user=acting_user, reason=PROMOTION_REASON
    )
    # Highest grade first, so a class never moves onto one that has not moved yet.
    for move in preview.moves:  # already highest first
        cls = classes[move.class_id]
        cls.grade = move.grade + 1
        cls.full_clean(validate_unique=False, validate_constraints=False)
        cls.save(update_fields=["grade"])
    children_left(children=graduates, on=on, reason=LeavingReason.GRADUATED, acting_user=acting_user)

    run = PromotionRun(
        school=school, school_year=preview.school_year, run_on=on, performed_by=acting_user, changes=changes,
        backup=backup,
    )  # fmt: skip
    run.full_clean(validate_constraints=False)
    run.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"升年级（{preview.school_year_label}）",
        school=school,
        promotion=run.pk,
        school_year=preview.school_year,
        moved_classes=len(preview.moves),
        graduated_classes=len(graduating_ids),
        graduated_children=[c.pk for c in graduates],
        backup=backup,
    )
    return run


@transaction.atomic
def undo_promotion(*, run: PromotionRun, acting_user) -> None:
    """Reverse a 升年级 on the day it was run: the classes move back down (lowest grade first), the graduated
    classes are active again with their head teacher (unless that teacher heads another class meanwhile),
    the graduated children get back their status with no leaving date, and the apps above are told (the
    pairings that ended reopen). Refused (ValidationError, nothing changed) on another day, for a run
    already undone, or when a class created since holds a grade and number the undo needs."""
    run = PromotionRun.objects.select_for_update().select_related("school").get(pk=run.pk)
    today = timezone.localdate()
    if run.undone_at is not None:
        raise ValidationError(f"该次升年级已于 {timezone.localtime(run.undone_at):%Y-%m-%d %H:%M} 撤销。")
    if today != run.run_on:
        raise ValidationError(
            f"升年级只能在执行当天撤销（本次于 {run.run_on:%Y-%m-%d} 执行）。如需更正，请在学校设置中逐班修改。"
        )
    changes = run.changes
    moved = {m["class"]: m for m in changes.get("moved_classes", [])}
    graduated = {g["class"]: g for g in changes.get("graduated_classes", [])}
    classes = {c.pk: c for c in SchoolClass.objects.select_for_update().filter(pk__in=[*moved, *graduated])}
    _check_undo_slots(run.school, moved, graduated, classes)

    for cid in sorted(moved, key=lambda pk: moved[pk]["from"]):  # lowest first: each frees the grade above
        cls = classes[cid]
        cls.grade = moved[cid]["from"]
        cls.save(update_fields=["grade"])
    heading = set(
        SchoolClass.objects.filter(head_teacher__in=[g["head_teacher"] for g in graduated.values()])
        .exclude(pk__in=list(graduated))
        .values_list("head_teacher", flat=True)
    )
    not_restored = []
    for cid, before in graduated.items():
        cls = classes[cid]
        cls.graduated_on = None
        teacher = before["head_teacher"]
        if teacher is not None and teacher in heading:
            not_restored.append(teacher)
            teacher = None
        cls.head_teacher_id = teacher
        cls.save(update_fields=["graduated_on", "head_teacher"])

    before_by_child = {c["child"]: c for c in changes.get("graduated_children", [])}
    # Only children still as the run left them: one whose record a colleague changed since keeps that.
    children = list(
        Child.objects.select_for_update()
        .filter(pk__in=list(before_by_child), status=EnrolmentStatus.GRADUATED, left_on=run.run_on)
        .order_by("pk")
    )
    for child in children:
        before = before_by_child[child.pk]
        child.status = before["status"]
        child.left_on = date.fromisoformat(before["left_on"]) if before["left_on"] else None
    save_children_rows(children=children, fields=["status", "left_on"], history_user=acting_user, reason=UNDO_REASON)
    children_returned(children=children, on=run.run_on, reason=LeavingReason.GRADUATED, acting_user=acting_user)

    run.undone_at = timezone.now()
    run.save(update_fields=["undone_at"])
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"撤销升年级（{run.school_year}-{run.school_year + 1}学年）",
        school=run.school,
        promotion=run.pk,
        children=[c.pk for c in children],
        head_teachers_not_restored=not_restored,
    )


def _check_undo_slots(school: School, moved: dict, graduated: dict, classes: dict) -> None:
    """The grades and numbers the undo gives back must be free of classes made since the run."""
    wanted = {(m["from"], classes[cid].number): cid for cid, m in moved.items() if cid in classes}
    wanted |= {(g["grade"], g["number"]): cid for cid, g in graduated.items() if cid in classes}
    taken = (
        SchoolClass.objects.active().filter(school=school).exclude(pk__in=list(classes)).values_list("grade", "number")
    )
    clashes = [SchoolClass.label(g, n) for g, n in taken if (g, n) in wanted]
    if clashes:
        raise ValidationError(
            f"升年级后新建的班级 {'、'.join(sorted(clashes))} 与撤销后的班级重名，请先修改或删除这些班级再撤销。"
        )
    if len(classes) != len(moved) + len(graduated):
        raise ValidationError("升年级涉及的班级已被删除，无法自动撤销，请在学校设置中逐班修改。")
