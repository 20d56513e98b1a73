"""升年级 at the end of the school year: the classes move up, the top grade graduates with its children, the
run is backed up first, recorded, refused a second time and undone exactly on the same day."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caretrack.backup import BackupError, BackupResult
from caretrack.models import GradeSpan, SchoolClass
from children import lifecycle
from children.lifecycle import LeavingReason
from children.models import Child, EnrolmentStatus, PromotionRun
from children.services import promotion
from children.services.promotion import promote_school, promotion_preview, school_year_of, undo_promotion
from mentoring.models import Pairing
from tests.factories import ChildFactory, PairingFactory, SchoolClassFactory, StaffFactory, TermFactory

pytestmark = pytest.mark.django_db

END_OF_YEAR = date(2027, 7, 10)  # after the world's 2026-2027 school year (its term starts 2026-09-01)


class Year:
    """The world's school with a sixth grade: 6(1) (head teacher 王老师, two pupils, one transferred earlier),
    5(1) (one pupil), plus the world's 3(2) and 4(1)."""

    def __init__(self, world):
        self.world = world
        self.teacher = StaffFactory(school=world.school, user__first_name="王老师").user
        self.sixth = SchoolClassFactory(school=world.school, grade=6, number=1, head_teacher=self.teacher)
        self.fifth = SchoolClassFactory(school=world.school, grade=5, number=1)
        self.graduates = [ChildFactory(school_class=self.sixth, name=n) for n in ("毕业甲", "毕业乙")]
        self.gone = ChildFactory(
            school_class=self.sixth, name="早转走", status=EnrolmentStatus.TRANSFERRED, left_on=date(2027, 3, 1)
        )
        self.fifth_pupil = ChildFactory(school_class=self.fifth, name="五年级生")
        self.third_pupil = ChildFactory(school_class=world.school_class, name="三年级生")


@pytest.fixture
def year(world):
    return Year(world)


def grades(*classes) -> list[tuple[int, object]]:
    """(grade, graduated_on) of each class as stored now, in the order given."""
    stored = SchoolClass.objects.in_bulk([c.pk for c in classes])
    return [(stored[c.pk].grade, stored[c.pk].graduated_on) for c in classes]


def test_the_preview_lists_each_class_move_and_the_graduating_classes_with_their_counts(year):
    preview = promotion_preview(school=year.world.school, on=END_OF_YEAR)
    assert preview.can_run and preview.problems == []
    assert preview.school_year == 2026 and preview.school_year_label == "2026-2027学年"
    assert [(g.label, g.children, g.head_teacher) for g in preview.graduations] == [("六年级(1)班", 2, "王老师")]
    assert [(m.label_from, m.label_to, m.children) for m in preview.moves] == [
        ("五年级(1)班", "六年级(1)班", 1),
        ("四年级(1)班", "五年级(1)班", 0),
        ("三年级(2)班", "四年级(2)班", 1),
    ]
    assert (preview.moving_children, preview.graduating_children) == (2, 2)


def test_promotion_moves_every_class_up_and_graduates_the_top_grade_with_its_children(year):
    world = year.world
    run = promote_school(school=world.school, on=END_OF_YEAR, acting_user=world.principal)

    assert grades(year.fifth, world.other_class, world.school_class) == [(6, None), (5, None), (4, None)]
    year.sixth.refresh_from_db()
    assert (year.sixth.grade, year.sixth.graduated_on, year.sixth.head_teacher) == (6, END_OF_YEAR, None)
    for child in year.graduates:
        child.refresh_from_db()
        assert (child.status, child.left_on) == (EnrolmentStatus.GRADUATED, END_OF_YEAR)
    year.gone.refresh_from_db()
    assert (year.gone.status, year.gone.left_on) == (EnrolmentStatus.TRANSFERRED, date(2027, 3, 1))
    # The graduates are off the lists of today's pupils; everyone else moved with their class.
    assert set(Child.objects.filter(school=world.school).enrolled()) == {year.fifth_pupil, year.third_pupil}
    assert str(Child.objects.get(pk=year.fifth_pupil.pk).school_class) == "六年级(1)班"

    assert (run.school_year, run.run_on, run.performed_by, run.undone_at) == (2026, END_OF_YEAR, world.principal, None)
    assert run.changes["graduated_classes"] == [
        {"class": year.sixth.pk, "grade": 6, "number": 1, "head_teacher": year.teacher.pk}
    ]
    assert {c["child"] for c in run.changes["graduated_children"]} == {c.pk for c in year.graduates}
    assert len(run.changes["moved_classes"]) == 3
    # The class history names the run: a history row per graduate with the reason.
    assert Child.history.filter(id=year.graduates[0].pk, history_change_reason="升年级").exists()


def test_a_second_run_for_the_same_school_year_is_refused_with_when_and_by_whom_and_changes_nothing(year):
    world = year.world
    promote_school(school=world.school, on=END_OF_YEAR, acting_user=world.principal)
    before = grades(year.fifth, world.other_class, world.school_class)
    with pytest.raises(ValidationError) as refused:
        promote_school(school=world.school, on=END_OF_YEAR + timedelta(days=1), acting_user=world.principal)
    assert "2026-2027学年已于 2027-07-10 由 李校长 执行过升年级" in refused.value.messages[0]
    assert grades(year.fifth, world.other_class, world.school_class) == before
    assert PromotionRun.objects.filter(school=world.school).count() == 1
    preview = promotion_preview(school=world.school, on=END_OF_YEAR)
    assert not preview.can_run and preview.previous_run is not None


def test_a_school_without_any_children_can_be_promoted(world):
    preview = promotion_preview(school=world.other_school, on=END_OF_YEAR)
    assert preview.can_run and preview.graduating_children == 0
    promote_school(school=world.other_school, on=END_OF_YEAR, acting_user=world.other_principal)
    world.foreign_class.refresh_from_db()
    assert world.foreign_class.grade == 4


def test_a_junior_school_graduates_its_ninth_grade(world):
    world.school.grade_span = GradeSpan.JUNIOR
    world.school.save(update_fields=["grade_span"])
    ninth = SchoolClassFactory(school=world.school, grade=9, number=1)
    seventh = SchoolClassFactory(school=world.school, grade=7, number=1)
    pupil = ChildFactory(school_class=ninth)
    promote_school(school=world.school, on=END_OF_YEAR, acting_user=world.principal)
    assert grades(ninth, seventh) == [(9, END_OF_YEAR), (8, None)]
    pupil.refresh_from_db()
    assert pupil.status == EnrolmentStatus.GRADUATED


def test_the_school_year_is_the_latest_term_begun_or_the_calendar_year_before_august(world):
    assert school_year_of(school=world.school, on=date(2027, 7, 10)) == 2026
    TermFactory(school=world.school, start_year=2026, semester=2, start_date=date(2027, 2, 20),
                end_date=date(2027, 7, 5), is_current=False)  # fmt: skip
    assert school_year_of(school=world.school, on=date(2027, 7, 10)) == 2026
    world.school.terms.all().delete()
    assert school_year_of(school=world.school, on=date(2027, 7, 10)) == 2026
    assert school_year_of(school=world.school, on=date(2027, 8, 20)) == 2027


def test_undo_on_the_same_day_puts_classes_children_and_head_teacher_back_exactly(year):
    world, today = year.world, timezone.localdate()
    run = promote_school(school=world.school, on=today, acting_user=world.principal)
    undo_promotion(run=run, acting_user=world.principal)

    assert grades(year.sixth, year.fifth, world.other_class, world.school_class) == [
        (6, None), (5, None), (4, None), (3, None)
    ]  # fmt: skip
    year.sixth.refresh_from_db()
    assert year.sixth.head_teacher == year.teacher
    for child in year.graduates:
        child.refresh_from_db()
        assert (child.status, child.left_on) == (EnrolmentStatus.ENROLLED, None)
    run.refresh_from_db()
    assert run.undone_at is not None
    # Undone: the school year can be promoted again.
    assert promotion_preview(school=world.school, on=today).can_run
    with pytest.raises(ValidationError, match="已于"):
        undo_promotion(run=run, acting_user=world.principal)


def test_undo_on_a_later_day_is_refused_and_changes_nothing(year):
    world = year.world
    run = promote_school(school=world.school, on=END_OF_YEAR, acting_user=world.principal)  # not today
    with pytest.raises(ValidationError, match="只能在执行当天撤销"):
        undo_promotion(run=run, acting_user=world.principal)
    run.refresh_from_db()
    assert run.undone_at is None
    assert grades(year.fifth) == [(6, None)]


def test_undo_leaves_a_head_teacher_who_took_another_class_meanwhile_where_they_are(year):
    world, today = year.world, timezone.localdate()
    run = promote_school(school=world.school, on=today, acting_user=world.principal)
    SchoolClass.objects.filter(pk=year.fifth.pk).update(head_teacher=year.teacher)  # now heads the new 6(1)
    undo_promotion(run=run, acting_user=world.principal)
    year.sixth.refresh_from_db()
    year.fifth.refresh_from_db()
    assert year.sixth.head_teacher is None and year.fifth.head_teacher == year.teacher


def test_undo_is_refused_when_a_class_made_since_holds_a_grade_the_undo_needs(year):
    world, today = year.world, timezone.localdate()
    run = promote_school(school=world.school, on=today, acting_user=world.principal)
    SchoolClassFactory(school=world.school, grade=3, number=2)  # the new 三年级(2)班 of the coming year
    with pytest.raises(ValidationError, match="三年级\\(2\\)班"):
        undo_promotion(run=run, acting_user=world.principal)
    assert grades(world.school_class) == [(4, None)]
    run.refresh_from_db()
    assert run.undone_at is None


def test_pairings_of_graduates_end_with_the_run_and_run_again_when_it_is_undone(year):
    world, today = year.world, timezone.localdate()
    pairing = PairingFactory(child=year.graduates[0], mentor=world.mentor, start_date=date(2025, 9, 1))
    staying = PairingFactory(child=year.fifth_pupil, mentor=world.mentor, start_date=date(2025, 9, 1))
    run = promote_school(school=world.school, on=today, acting_user=world.principal)
    assert not Pairing.objects.open_on(today + timedelta(days=1)).filter(pk=pairing.pk).exists()
    assert Pairing.objects.open_on(today + timedelta(days=1)).filter(pk=staying.pk).exists()
    undo_promotion(run=run, acting_user=world.principal)
    assert Pairing.objects.open_on(today + timedelta(days=1)).filter(pk=pairing.pk).exists()


def test_the_apps_above_are_told_who_graduated_and_who_came_back(year, monkeypatch):
    calls = []
    monkeypatch.setattr(lifecycle, "_LEAVING", [lambda **kw: calls.append(("left", kw))])
    monkeypatch.setattr(lifecycle, "_RETURNING", [lambda **kw: calls.append(("returned", kw))])
    world, today = year.world, timezone.localdate()
    run = promote_school(school=world.school, on=today, acting_user=world.principal)
    undo_promotion(run=run, acting_user=world.principal)
    assert [(kind, {c.pk for c in kw["children"]}, kw["on"], kw["reason"]) for kind, kw in calls] == [
        ("left", {c.pk for c in year.graduates}, today, LeavingReason.GRADUATED),
        ("returned", {c.pk for c in year.graduates}, today, LeavingReason.GRADUATED),
    ]


def test_a_failing_handler_above_leaves_the_school_as_it_was(year, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("mentoring down")

    monkeypatch.setattr(lifecycle, "_LEAVING", [broken])
    with pytest.raises(RuntimeError):
        promote_school(school=year.world.school, on=END_OF_YEAR, acting_user=year.world.principal)
    assert grades(year.sixth, year.fifth) == [(6, None), (5, None)]
    assert not PromotionRun.objects.exists()
    assert Child.objects.filter(status=EnrolmentStatus.GRADUATED).count() == 0


# --- The backup taken first ----------------------------------------------------------------------


@pytest.fixture
def on_disk(monkeypatch, settings, tmp_path):
    """As in production: a database that can be copied, with BACKUP_DIR pointing at tmp_path. The copy
    itself is the backup module's (tested in tests/reliability); here a stand-in records where it goes."""
    settings.BACKUP_DIR = tmp_path / "backups"
    monkeypatch.setattr(promotion.connection, "is_in_memory_db", lambda: False, raising=False)  # SQLite only
    taken = []

    def fake_backup(*, out_dir, media, prefix):
        path = Path(out_dir) / f"{prefix}-test.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"copy")
        taken.append((Path(out_dir), media, Child.objects.filter(status=EnrolmentStatus.GRADUATED).count()))
        return BackupResult(path=path, size=4, engine="sqlite")

    monkeypatch.setattr(promotion, "backup_database", fake_backup)
    return taken


def test_the_database_is_backed_up_under_backup_dir_before_anything_changes(year, on_disk, settings):
    run = promote_school(school=year.world.school, on=END_OF_YEAR, acting_user=year.world.principal)
    assert on_disk == [(settings.BACKUP_DIR, False, 0)]  # taken while nobody had graduated yet
    assert run.backup == str(settings.BACKUP_DIR / "caretrack-before-promotion-test.sqlite3")


def test_a_failed_backup_stops_the_run_with_a_message_and_nothing_changes(year, on_disk, monkeypatch):
    def no_space(**kwargs):
        raise BackupError("磁盘空间不足。")

    monkeypatch.setattr(promotion, "backup_database", no_space)
    with pytest.raises(ValidationError, match="升年级前的自动备份失败：磁盘空间不足。"):
        promote_school(school=year.world.school, on=END_OF_YEAR, acting_user=year.world.principal)
    assert grades(year.sixth, year.fifth) == [(6, None), (5, None)]
    assert not PromotionRun.objects.exists()
