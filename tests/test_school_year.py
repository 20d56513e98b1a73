"""Two school years of one school, lived through the services a principal's pages call: terms and their
rollover, a teacher leaving, 升年级 with graduation (undone once and run again), a child turning 16, a father
coming home, and a transfer to a second school and back. After every step, every earlier term's figures —
the ones the dashboard shows and the term-report PDF prints — are what they were when that term ended, the
mentors' caps and 我的学生 are right, and the transferred child's chronology is whole at the new school."""

from dataclasses import asdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caretrack.models import Term
from caretrack.services.county import create_school
from caretrack.services.school import create_classes, create_term, make_term_current, update_school_settings
from caretrack.services.staff import add_staff, clear_first_password, deactivate_staff
from children.chronology import chronology
from children.models import AwayStatus, Child, EnrolmentStatus, LeftBehindType, ParentRole
from children.services import reclassify_child, update_parent_status
from children.services.calendar import close_periods_at_age_limit
from children.services.promotion import promote_school, undo_promotion
from children.services.transfers import accept_transfer, request_transfer
from mentoring.models import Pairing, PairingEndReason
from mentoring.selectors.lists import unpaired_children
from mentoring.services import pair_child
from reports.pdf import figures_rows
from reports.selectors import school_term_figures
from tests.factories import ChildFactory, ParentFactory, StaffFactory, TalkFactory, valid_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Calendar:
    """Moves 'today' for the whole app (every service and page reads timezone.now)."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch

    def go(self, day: date) -> date:
        moment = datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)
        self._monkeypatch.setattr(timezone, "now", lambda: moment)
        return day


def figures(school, term) -> dict:
    """What the dashboard and the PDF show for a term: the PDF's figure table and the figures behind it."""
    term.refresh_from_db()
    school.refresh_from_db()
    f = school_term_figures(school, term)
    return {
        "rows": figures_rows(f),
        "left_behind": f.left_behind,
        "enrolled": f.enrolled,
        "archive": (f.archive.total, f.archive.complete),
        "by_type": [(t.key, t.count) for t in f.by_type],
        "mentoring": {k: v for k, v in asdict(f.mentoring).items() if k != "weekly_talks"},
    }


class Ledger:
    """Each ended term's figures, taken on the day after it ended, checked again after every later step."""

    def __init__(self):
        self.seen: list[tuple[object, object, dict]] = []

    def close(self, school, term) -> None:
        self.seen.append((school, term, figures(school, term)))

    def unchanged(self, step: str) -> None:
        for school, term, before in self.seen:
            assert figures(school, term) == before, f"{school} {term} figures changed after: {step}"


def my_students(client, mentor) -> set[str]:
    client.force_login(mentor)
    page = client.get(reverse("mentoring:my_students")).content.decode()
    return {name for name in ("王小明", "李小红", "张小军") if name in page}


def open_load(mentor, day: date) -> int:
    return Pairing.objects.open_on(day).filter(mentor=mentor).count()


@pytest.mark.django_db
def test_a_school_lives_two_years_and_its_past_terms_never_change(monkeypatch, client, settings, tmp_path):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    today = Calendar(monkeypatch)
    ledger = Ledger()

    # --- The county adds two schools, each with its first principal -------------------------------
    today.go(date(2025, 8, 20))
    county_admin = StaffFactory(school=None, is_bureau=True, is_bureau_admin=True, is_teacher=False).user
    school, first = create_school(
        name="思蒙镇中心小学", county="溆浦县", grade_span="primary", principal_name="李校长",
        principal_gender="F", principal_phone="13800000001", acting_user=county_admin,
    )  # fmt: skip
    other, other_first = create_school(
        name="桥江镇第一小学", county="溆浦县", grade_span="primary", principal_name="王校长",
        principal_gender="M", principal_phone="13800000002", acting_user=county_admin,
    )  # fmt: skip
    principal, other_principal = first.user, other_first.user
    update_school_settings(school=school, data={"enrolled_students": 400}, acting_user=principal)

    # --- The principal sets the school up: classes, staff, the term ------------------------------
    grade3, grade5, grade6 = (
        create_classes(school=school, grade=g, count=1, acting_user=principal)[0] for g in (3, 5, 6)
    )
    other_grade3 = create_classes(school=other, grade=3, count=1, acting_user=other_principal)[0]
    liu = add_staff(school=school, name="刘老师", gender="F", phone="13900000011", roles={"teacher"},
                    head_of=grade5, acting_user=principal).user  # fmt: skip
    chen = add_staff(school=school, name="陈老师", gender="M", phone="13900000012", roles={"teacher"},
                     acting_user=principal).user  # fmt: skip
    for person in (principal, other_principal, liu, chen):
        clear_first_password(user=person)  # each chose their own password at the first login
    t1 = create_term(school=school, start_year=2025, semester=1, start_date=date(2025, 9, 1),
                     end_date=date(2026, 1, 31), acting_user=principal)  # fmt: skip
    make_term_current(term=t1, acting_user=principal)
    for start_year, semester, start, end in ((2025, 1, date(2025, 9, 1), date(2026, 1, 31)),):
        make_term_current(
            term=create_term(school=other, start_year=start_year, semester=semester, start_date=start, end_date=end,
                             acting_user=other_principal),
            acting_user=other_principal,
        )  # fmt: skip

    # --- The archive: three left-behind children, both parents away ------------------------------
    today.go(date(2025, 9, 1))

    def child(name, school_class, birth):
        c = ChildFactory(name=name, school_class=school_class, birth_date=birth, id_number=valid_id_number(birth))
        ParentFactory(child=c, role=ParentRole.FATHER)
        ParentFactory(child=c, role=ParentRole.MOTHER, name="张美丽")
        reclassify_child(child=c, on=date(2025, 9, 1), reason="建档")
        return c

    xiaoming = child("王小明", grade6, date(2013, 5, 4))  # graduates in July 2026
    xiaohong = child("李小红", grade5, date(2010, 10, 10))  # held back; turns 16 on 10 October 2026
    xiaojun = child("张小军", grade3, date(2017, 3, 2))  # father comes home, then moves school and back
    pair_child(child=xiaoming, mentor=liu, start_date=date(2025, 9, 1), acting_user=principal)
    pair_child(child=xiaohong, mentor=liu, start_date=date(2025, 9, 1), acting_user=principal)
    pair_child(child=xiaojun, mentor=chen, start_date=date(2025, 9, 1), acting_user=principal)
    for day in (date(2025, 9, 10), date(2025, 11, 12)):
        for kid, author in ((xiaoming, liu), (xiaohong, liu), (xiaojun, chen)):
            TalkFactory(child=kid, author=author, date=day)
    assert my_students(client, liu) == {"王小明", "李小红"}

    # --- Term 2: the rollover, and a teacher who leaves ------------------------------------------
    today.go(date(2026, 2, 1))
    ledger.close(school, t1)
    t2 = create_term(school=school, start_year=2025, semester=2, start_date=date(2026, 3, 1),
                     end_date=date(2026, 7, 15), acting_user=principal)  # fmt: skip
    make_term_current(term=t2, acting_user=principal)
    client.force_login(principal)
    assert client.get(reverse("rollover:checklist")).status_code == 200
    ledger.unchanged("the second term was made current")

    today.go(date(2026, 4, 30))
    TalkFactory(child=xiaojun, author=chen, date=date(2026, 4, 20))
    deactivate_staff(user=chen, on=date(2026, 4, 30), reason="调离", acting_user=principal)
    ended = Pairing.objects.get(child=xiaojun, mentor=chen)
    assert (ended.end_date, ended.end_reason) == (date(2026, 4, 30), PairingEndReason.MENTOR_LEFT)
    assert xiaojun in unpaired_children(school=school, on=date(2026, 5, 1))
    today.go(date(2026, 5, 1))
    pair_child(child=xiaojun, mentor=liu, start_date=date(2026, 5, 1), acting_user=principal)
    assert open_load(liu, date(2026, 5, 1)) == 3  # the school's cap
    assert my_students(client, liu) == {"王小明", "李小红", "张小军"}
    ledger.unchanged("a teacher left and her child was paired again")

    # --- 升年级: the sixth grade graduates (undone once, then run again) -------------------------
    today.go(date(2026, 7, 20))
    ledger.close(school, t2)
    run = promote_school(school=school, on=date(2026, 7, 20), acting_user=principal)
    with pytest.raises(ValidationError):
        promote_school(school=school, on=date(2026, 7, 20), acting_user=principal)
    undo_promotion(run=run, acting_user=principal)
    xiaoming.refresh_from_db()
    assert xiaoming.status == EnrolmentStatus.ENROLLED and open_load(liu, date(2026, 7, 20)) == 3
    ledger.unchanged("升年级 undone")
    promote_school(school=school, on=date(2026, 7, 20), acting_user=principal)
    xiaoming.refresh_from_db()
    grade5.refresh_from_db()
    grade3.refresh_from_db()
    assert xiaoming.status == EnrolmentStatus.GRADUATED
    assert (grade5.grade, grade3.grade) == (6, 4)
    graduated = Pairing.objects.get(child=xiaoming)
    assert graduated.end_reason == PairingEndReason.GRADUATED
    assert open_load(liu, date(2026, 7, 21)) == 2
    assert my_students(client, liu) == {"李小红", "张小军"}
    ledger.unchanged("升年级 and graduation")

    # --- Year 2, term 1: a child turns 16, a father comes home, a transfer ------------------------
    today.go(date(2026, 8, 28))
    t3 = create_term(school=school, start_year=2026, semester=1, start_date=date(2026, 9, 1),
                     end_date=date(2027, 1, 31), acting_user=principal)  # fmt: skip
    make_term_current(term=t3, acting_user=principal)
    make_term_current(
        term=create_term(school=other, start_year=2026, semester=1, start_date=date(2026, 9, 1),
                         end_date=date(2027, 1, 31), acting_user=other_principal),
        acting_user=other_principal,
    )  # fmt: skip
    client.force_login(principal)
    checklist = client.get(reverse("rollover:checklist")).content.decode()
    assert "李小红" in checklist  # turns 16 during the term: her 留守 status is to be checked
    ledger.unchanged("year 2 started")

    today.go(date(2026, 10, 10))
    assert not Child.objects.filter(pk=xiaohong.pk).left_behind_on(date(2026, 10, 10)).exists()
    assert Child.objects.filter(pk=xiaohong.pk).left_behind_on(date(2026, 10, 9)).exists()
    assert close_periods_at_age_limit(on=date(2026, 10, 10)) == 1
    period = xiaohong.left_behind_periods.get()
    assert (period.end_date, period.end_reason) == (date(2026, 10, 9), "年满16周岁")
    ledger.unchanged("a child turned 16")

    today.go(date(2026, 11, 15))
    update_parent_status(
        child=xiaojun, role=ParentRole.FATHER, values={"away_status": AwayStatus.AT_HOME},
        on=date(2026, 11, 15), reason="父亲返乡", acting_user=principal,
    )  # fmt: skip
    xiaojun.refresh_from_db()
    assert xiaojun.left_behind_type == LeftBehindType.NOT_LEFT_BEHIND
    assert xiaojun.left_behind_periods.get().end_reason == "父亲返乡"
    ledger.unchanged("a father came home")

    today.go(date(2026, 11, 20))
    transfer = request_transfer(child=xiaojun, to_school=other, transfer_on=date(2026, 12, 1), acting_user=principal)
    today.go(date(2026, 12, 1))  # the receiving school takes the child in on the day
    at_other = accept_transfer(request=transfer, school_class=other_grade3, acting_user=other_principal)
    xiaojun.refresh_from_db()
    assert xiaojun.status == EnrolmentStatus.TRANSFERRED and at_other.id_number == xiaojun.id_number
    assert Pairing.objects.get(child=xiaojun, mentor=liu).end_reason == PairingEndReason.TRANSFERRED
    assert my_students(client, liu) == {"李小红"}
    talks_at_first_school = {e.title for e in chronology(xiaojun, principal) if e.kind == "talk"}
    assert len(talks_at_first_school) >= 1
    other_view = chronology(at_other, other_principal)
    assert sum(e.kind == "talk" for e in other_view) == sum(e.kind == "talk" for e in chronology(xiaojun, principal))
    ledger.unchanged("a transfer to the second school")

    # --- Year 2, term 2: back to the first school -------------------------------------------------
    today.go(date(2027, 2, 1))
    ledger.close(school, t3)
    t4 = create_term(school=school, start_year=2026, semester=2, start_date=date(2027, 3, 1),
                     end_date=date(2027, 7, 15), acting_user=principal)  # fmt: skip
    make_term_current(term=t4, acting_user=principal)
    today.go(date(2027, 3, 5))
    back = request_transfer(
        child=at_other, to_school=school, transfer_on=date(2027, 3, 10), acting_user=other_principal
    )
    today.go(date(2027, 3, 10))
    home_again = accept_transfer(request=back, school_class=grade3, acting_user=principal)
    assert Child.objects.filter(id_number=xiaojun.id_number).enrolled().get() == home_again
    assert home_again.transferred_from == at_other and at_other.transferred_from == xiaojun
    whole = chronology(home_again, principal)
    assert sum(e.kind == "talk" for e in whole) == 3  # the three talks of the first year, at this school
    ledger.unchanged("the transfer back")
    assert Term.objects.filter(school=school).count() == 4
