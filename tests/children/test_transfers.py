"""转学 between schools of this installation, and to a school elsewhere: what each school sees and keeps."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent, Term
from children import services
from children.models import (
    AwayStatus,
    Child,
    EnrolmentStatus,
    HardshipType,
    LeftBehindType,
    TransferRequest,
    TransferStatus,
)
from children.services import ArchiveData, transfers
from mentoring.selectors.figures import mentoring_figures
from reports.selectors import school_term_figures
from tests.conftest import PERSONAS
from tests.factories import (
    ActivityFactory,
    ActivityParticipantFactory,
    ChildFactory,
    ConcernFactory,
    PairingFactory,
    SchoolClassFactory,
    TalkFactory,
    valid_id_number,
)

pytestmark = pytest.mark.django_db
ARCHIVED_ON = date(2026, 9, 10)
ID_NUMBER = valid_id_number()


def today() -> date:
    return timezone.localdate()


def archived_child(world, *, name="张小明", id_number=ID_NUMBER, school_class=None) -> Child:
    """A left-behind child of the first school with a whole archive: both parents away, a grandmother as
    guardian, an assessment and a hardship."""
    data = ArchiveData(
        child={
            "name": name,
            "gender": "M",
            "birth_date": date(2017, 3, 2),
            "id_number": id_number,
            "school_class": school_class or world.school_class,
            "personality": "内向，喜欢画画",
        },
        hardships=[HardshipType.LOW_INCOME],
        parents={
            "father": {"name": "张建国", "away_status": AwayStatus.WORKING_AWAY, "phone": "13912345678"},
            "mother": {"name": "李秀兰", "away_status": AwayStatus.WORKING_AWAY},
        },
        guardian={"name": "王秀英", "relation": "pgm", "phone": "13712345678"},
        assessment={"guardianship_level": "fair"},
    )
    school = (school_class or world.school_class).school
    return services.save_archive(school=school, data=data, acting_user=world.coordinator, on=ARCHIVED_ON)


def move(child, *, to_school_class, asked_by, accepted_by, on=None) -> Child:
    transfer = transfers.request_transfer(
        child=child, to_school=to_school_class.school, transfer_on=on or today(), acting_user=asked_by
    )
    return transfers.accept_transfer(request=transfer, school_class=to_school_class, acting_user=accepted_by)


def a_to_b(world, child=None, on=None) -> tuple[Child, Child]:
    old = child or archived_child(world)
    new = move(
        old, to_school_class=world.foreign_class, asked_by=world.coordinator, accepted_by=world.other_principal, on=on
    )
    return Child.objects.get(pk=old.pk), new


# --- Accept, decline, cancel -----------------------------------------------------------------------


def test_accepted_transfer_ends_the_old_record_the_day_before_and_starts_a_whole_archive_at_the_new_school(world):
    old, new = a_to_b(world)

    assert old.status == EnrolmentStatus.TRANSFERRED and old.left_on == today() - timedelta(days=1)
    assert new.school == world.other_school and new.school_class == world.foreign_class
    assert new.status == EnrolmentStatus.ENROLLED and new.joined_on == today() and new.transferred_from == old
    assert (new.name, new.id_number, new.personality) == ("张小明", ID_NUMBER, "内向，喜欢画画")
    assert new.left_behind_type == LeftBehindType.BOTH_AWAY
    assert sorted(new.parents.values_list("role", "name", "phone")) == sorted(
        old.parents.values_list("role", "name", "phone")
    )
    assert list(new.guardians.values_list("name", "since", "until")) == list(
        old.guardians.values_list("name", "since", "until")
    )
    assert list(new.left_behind_periods.values_list("kind", "start_date", "end_date", "reason")) == list(
        old.left_behind_periods.values_list("kind", "start_date", "end_date", "reason")
    )
    assert new.assessment.guardianship_level == "fair"
    assert list(new.hardships.values_list("kind", flat=True)) == [HardshipType.LOW_INCOME]
    # The old record keeps its own rows: it is the sending school's read-only stub.
    assert old.parents.count() == 2 and old.guardians.count() == 1
    transfer = TransferRequest.objects.get(child=old)
    assert transfer.status == TransferStatus.ACCEPTED and transfer.new_record == new
    assert transfer.decided_by == world.other_principal and transfer.decided_at is not None


def test_an_accepted_transfer_is_in_both_schools_audit_logs(world):
    old, new = a_to_b(world)
    rows = AuditEvent.objects.filter(user=world.other_principal)
    assert rows.filter(school=world.school, action=AuditAction.CHANGE, detail__child=old.pk).exists()
    assert rows.filter(school=world.other_school, action=AuditAction.CREATE, detail__child=new.pk).exists()


def test_a_declined_transfer_needs_a_reason_and_leaves_the_child_at_school(world):
    child = archived_child(world)
    transfer = transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
    )
    with pytest.raises(ValidationError) as error:
        transfers.decline_transfer(request=transfer, reason="  ", acting_user=world.other_principal)
    assert "请填写拒绝原因" in str(error.value)
    assert TransferRequest.objects.get(pk=transfer.pk).status == TransferStatus.PENDING

    transfers.decline_transfer(request=transfer, reason="本校该年级学位已满", acting_user=world.other_principal)
    transfer.refresh_from_db()
    child.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED and transfer.decline_reason == "本校该年级学位已满"
    assert child.status == EnrolmentStatus.ENROLLED and child.left_on is None
    assert not Child.objects.filter(school=world.other_school).exists()


def test_the_sending_school_sees_why_its_request_was_declined(client, world):
    child = archived_child(world)
    transfer = transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
    )
    client.force_login(world.other_principal)
    client.post(reverse("transfers:decline", args=[transfer.pk]), {"reason": "本校该年级学位已满"})
    client.force_login(world.coordinator)
    page = client.get(reverse("transfers:list")).content.decode()
    assert "已拒绝" in page and "本校该年级学位已满" in page


def test_only_the_sending_school_withdraws_and_then_may_ask_again(world):
    child = archived_child(world)
    transfer = transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.coordinator
    )
    with pytest.raises(PermissionDenied):
        transfers.cancel_transfer(request=transfer, acting_user=world.other_principal)
    transfers.cancel_transfer(request=transfer, acting_user=world.coordinator)
    assert TransferRequest.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED
    with pytest.raises(ValidationError, match="已撤回"):
        transfers.accept_transfer(request=transfer, school_class=world.foreign_class, acting_user=world.other_principal)
    again = transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.coordinator
    )
    assert again.status == TransferStatus.PENDING


def test_a_second_request_for_the_same_child_is_refused_in_chinese(world):
    child = archived_child(world)
    transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
    )
    with pytest.raises(ValidationError, match="已有一份转往 桥江镇第一小学 的转学申请"):
        transfers.request_transfer(
            child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.coordinator
        )
    assert TransferRequest.objects.filter(child=child).count() == 1


def test_bad_requests_are_refused_and_change_nothing(world):
    child = archived_child(world)
    with pytest.raises(ValidationError, match="请选择另一所学校"):
        transfers.request_transfer(
            child=child, to_school=world.school, transfer_on=today(), acting_user=world.principal
        )
    with pytest.raises(ValidationError, match="90 天以内"):
        transfers.request_transfer(
            child=child,
            to_school=world.other_school,
            transfer_on=today() + timedelta(days=200),
            acting_user=world.principal,
        )
    with pytest.raises(PermissionDenied):
        transfers.request_transfer(
            child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.class_teacher
        )
    assert not TransferRequest.objects.exists()


def test_accepting_twice_creates_one_record(world):
    child = archived_child(world)
    transfer = transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
    )
    transfers.accept_transfer(request=transfer, school_class=world.foreign_class, acting_user=world.other_principal)
    with pytest.raises(ValidationError, match="已接收"):
        transfers.accept_transfer(request=transfer, school_class=world.foreign_class, acting_user=world.other_principal)
    assert Child.objects.filter(id_number=ID_NUMBER).count() == 2  # the stub and the one new record


def test_the_receiving_school_must_choose_one_of_its_own_classes(world):
    child = archived_child(world)
    transfer = transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
    )
    with pytest.raises(ValidationError, match="请选择本校正在开设的班级"):
        transfers.accept_transfer(request=transfer, school_class=world.other_class, acting_user=world.other_principal)
    with pytest.raises(PermissionDenied):
        transfers.accept_transfer(request=transfer, school_class=world.foreign_class, acting_user=world.principal)
    assert Child.objects.get(pk=child.pk).status == EnrolmentStatus.ENROLLED


# --- Back again, and ID numbers unique among children on a roll -------------------------------------


def test_a_child_can_come_back_to_the_first_school(world):
    first, at_b = a_to_b(world, on=today() - timedelta(days=10))
    back = move(at_b, to_school_class=world.other_class, asked_by=world.other_principal, accepted_by=world.coordinator)
    first.refresh_from_db()
    at_b.refresh_from_db()
    assert back.school == world.school and back.transferred_from == at_b and at_b.transferred_from == first
    assert first.status == at_b.status == EnrolmentStatus.TRANSFERRED
    assert Child.objects.enrolled().filter(id_number=ID_NUMBER).get() == back


def test_the_receiving_school_cannot_take_a_child_with_the_same_name_and_birth_date(world):
    ChildFactory(school_class=world.foreign_class, name="张小明", birth_date=date(2017, 3, 2))
    child = archived_child(world)
    transfer = transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
    )
    with pytest.raises(ValidationError, match=r"本校已有同名且出生日期相同的在读学生：张小明（三年级\(1\)班）"):
        transfers.accept_transfer(request=transfer, school_class=world.foreign_class, acting_user=world.other_principal)
    assert Child.objects.get(pk=child.pk).status == EnrolmentStatus.ENROLLED
    assert TransferRequest.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_an_id_number_may_be_archived_again_once_its_record_ended(world):
    old, new = a_to_b(world)
    assert Child.objects.filter(id_number=ID_NUMBER).count() == 2
    with pytest.raises(ValidationError):  # but not a second time while a school has the child on its roll
        archived_child(world, name="张小明二")


# --- The stub is read-only ----------------------------------------------------------------------------


def test_the_stub_opens_read_only_with_where_the_child_went(client, world):
    old, _ = a_to_b(world)
    client.force_login(world.principal)
    page = client.get(reverse("children:detail", args=[old.pk])).content.decode()
    assert f"已于 {today():%Y-%m-%d} 转入 桥江镇第一小学" in page
    assert reverse("children:edit", args=[old.pk]) not in page
    assert reverse("transfers:start", args=[old.pk]) not in page
    assert reverse("mentoring:talk_create", args=[old.pk]) not in page  # no log buttons on a stub
    assert "外校校长 修改了学生信息：在校状态、离校日期" in page  # who accepted the transfer ended the record
    for persona in ("principal", "coordinator", "class_teacher"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("children:edit", args=[old.pk])).status_code == 403
        response = client.post(reverse("children:edit", args=[old.pk]), {"child-name": "改名"})
        assert response.status_code == 403
        response = client.post(
            reverse("children:parent_status", args=[old.pk]),
            {"role": "father", "away_status": "home", "on": f"{today():%Y-%m-%d}"},
        )
        assert response.status_code == 403
    assert client.get(reverse("transfers:start", args=[old.pk])).status_code == 403
    assert Child.objects.get(pk=old.pk).name == "张小明"


def test_the_child_page_offers_transfer_to_managers_only(client, world):
    child = archived_child(world)
    client.force_login(world.coordinator)
    assert (
        reverse("transfers:start", args=[child.pk])
        in client.get(reverse("children:detail", args=[child.pk])).content.decode()
    )
    client.force_login(world.class_teacher)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert reverse("transfers:start", args=[child.pk]) not in page


# --- The chronology and the history go with the child ----------------------------------------------


def _history_at_a(world, child):
    PairingFactory(child=child, mentor=world.mentor, start_date=ARCHIVED_ON)
    TalkFactory(child=child, author=world.mentor, date=ARCHIVED_ON, text="在A校谈心：想念妈妈")
    crisis = ConcernFactory(child=child, raised_by=world.mentor, category="crisis", description="情绪危机")
    TalkFactory(child=child, author=world.mentor, date=ARCHIVED_ON, text="在A校谈心：危机记录", concern=crisis)
    activity = ActivityFactory(school=world.school, title="中秋慰问活动", date=ARCHIVED_ON)
    ActivityParticipantFactory(activity=activity, child=child)


def test_the_new_school_reads_the_earlier_schools_talks_and_activities(client, world):
    child = archived_child(world)
    _history_at_a(world, child)
    _, new = a_to_b(world, child)
    TalkFactory(child=new, author=world.other_teacher, text="在B校谈心：适应新班级")

    client.force_login(world.other_principal)
    page = client.get(reverse("children:detail", args=[new.pk])).content.decode()
    for text in ("在A校谈心：想念妈妈", "中秋慰问活动", "在B校谈心：适应新班级", "转入桥江镇第一小学"):
        assert text in page
    assert "在A校谈心：危机记录" in page  # the receiving principal sees sensitive records, as for any child of theirs
    assert "思蒙镇中心小学" in page  # entries of the earlier record say where they come from

    client.force_login(world.other_teacher)  # head teacher of the class the child joined
    page = client.get(reverse("children:detail", args=[new.pk])).content.decode()
    assert "在A校谈心：想念妈妈" in page and "中秋慰问活动" in page
    assert "在A校谈心：危机记录" not in page  # a sensitive concern stays hidden from a teacher


def test_the_earlier_schools_entries_carry_no_links_into_that_school(world):
    from children.chronology import chronology

    child = archived_child(world)
    _history_at_a(world, child)
    _, new = a_to_b(world, child)
    earlier = [e for e in chronology(new, world.other_principal) if e.school]
    assert earlier and all(e.url == "" for e in earlier)


def test_the_sending_school_does_not_read_the_new_schools_records(client, world):
    child = archived_child(world)
    old, new = a_to_b(world, child)
    TalkFactory(child=new, author=world.other_teacher, text="在B校谈心：适应新班级")
    client.force_login(world.principal)
    assert "在B校谈心" not in client.get(reverse("children:detail", args=[old.pk])).content.decode()
    assert client.get(reverse("children:detail", args=[new.pk])).status_code == 404


def test_the_change_history_shows_the_earlier_schools_changes(client, world):
    child = archived_child(world)
    services.update_parent_status(
        child=child, role="father", values={"away_status": AwayStatus.AT_HOME}, on=ARCHIVED_ON,
        reason="父亲返乡", acting_user=world.coordinator,
    )  # fmt: skip
    _, new = a_to_b(world, Child.objects.get(pk=child.pk))
    client.force_login(world.other_principal)
    page = client.get(reverse("children:detail", args=[new.pk])).content.decode()
    assert "父亲（思蒙镇中心小学）" in page


# --- Figures -----------------------------------------------------------------------------------------


def test_the_sending_schools_figures_for_the_term_keep_the_child(world):
    child = archived_child(world)
    term = Term.objects.get(school=world.school)
    before = school_term_figures(world.school, term)
    mentoring_before = mentoring_figures(schools=[world.school], start=term.start_date, end=term.end_date, on=today())
    a_to_b(world, child)
    after = school_term_figures(world.school, term)
    assert before.left_behind == after.left_behind == 1
    assert after.archive.total == before.archive.total
    mentoring_after = mentoring_figures(schools=[world.school], start=term.start_date, end=term.end_date, on=today())
    assert mentoring_after[world.school.pk].left_behind == mentoring_before[world.school.pk].left_behind == 1
    # The receiving school counts the child for the days the child is there.
    other_term = Term.objects.get(school=world.other_school)
    assert school_term_figures(world.other_school, other_term).left_behind == 1


# --- Pages -------------------------------------------------------------------------------------------


def test_the_request_goes_through_the_pages_and_the_receiving_principal_accepts_it(client, world):
    child = archived_child(world)
    client.force_login(world.coordinator)
    assert client.get(reverse("transfers:start", args=[child.pk])).status_code == 200
    response = client.post(
        reverse("transfers:request", args=[child.pk]),
        {"to_school": world.other_school.pk, "transfer_on": f"{today():%Y-%m-%d}", "note": "随父母迁居"},
    )
    assert response.status_code == 302
    transfer = TransferRequest.objects.get(child=child)

    client.force_login(world.other_principal)
    page = client.get(reverse("transfers:list")).content.decode()
    assert "张小明" in page and "随父母迁居" in page and "思蒙镇中心小学" in page
    assert ID_NUMBER not in page and ID_NUMBER[:4] in page  # masked, as everywhere outside the child page
    url = reverse("transfers:accept", args=[transfer.pk])
    response = client.post(url, {"school_class": world.foreign_class.pk})
    new = Child.objects.get(transferred_from=child)
    assert response.status_code == 302 and response["Location"] == reverse("children:detail", args=[new.pk])
    again = client.post(url, {"school_class": world.foreign_class.pk}, follow=True)  # a double tap
    assert "已接收，不能再处理" in again.content.decode()
    assert Child.objects.filter(school=world.other_school).count() == 1


def test_a_bad_request_form_says_what_is_wrong_and_saves_nothing(client, world):
    child = archived_child(world)
    client.force_login(world.coordinator)
    response = client.post(reverse("transfers:request", args=[child.pk]), {"to_school": "", "transfer_on": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "请选择转入学校" in page and "请填写转学日期" in page
    response = client.post(reverse("transfers:elsewhere", args=[child.pk]), {"destination": "", "on": ""})
    assert "请填写转入学校的名称" in response.content.decode()
    assert not TransferRequest.objects.exists() and Child.objects.get(pk=child.pk).status == EnrolmentStatus.ENROLLED


def test_a_child_leaves_for_a_school_elsewhere(client, world):
    child = archived_child(world)
    client.force_login(world.principal)
    response = client.post(
        reverse("transfers:elsewhere", args=[child.pk]),
        {"destination": "广东省东莞市长安镇中心小学", "on": f"{today():%Y-%m-%d}"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == EnrolmentStatus.TRANSFERRED and child.left_on == today()
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "转入 广东省东莞市长安镇中心小学" in page
    assert reverse("reports:transfer_pdf", args=[child.pk]) in page
    event = AuditEvent.objects.get(user=world.principal, detail__destination="广东省东莞市长安镇中心小学")
    assert event.school == world.school


def test_a_child_with_a_pending_request_cannot_also_leave_elsewhere(world):
    child = archived_child(world)
    transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
    )
    with pytest.raises(ValidationError, match="请先撤回该申请"):
        transfers.transfer_out_elsewhere(child=child, on=today(), destination="外县小学", acting_user=world.principal)


def test_the_transfer_list_has_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(6):
        child = archived_child(world, name=f"学生{i}", id_number=valid_id_number(seq=10 + i))
        transfers.request_transfer(
            child=child, to_school=world.other_school, transfer_on=today(), acting_user=world.principal
        )
        incoming = ChildFactory(school_class=world.foreign_class, name=f"外校学生{i}")
        transfers.request_transfer(
            child=incoming, to_school=world.school, transfer_on=today(), acting_user=world.other_principal
        )
    SchoolClassFactory(school=world.school, grade=5, number=3)
    client.force_login(world.coordinator)
    with django_assert_max_num_queries(13):  # the menu's count of open cases and of unread notifications
        page = client.get(reverse("transfers:list"))
    assert page.content.decode().count("data-transfer=") == 12


# --- Who reaches the pages ---------------------------------------------------------------------------


MANAGERS = {"principal", "coordinator"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_transfer_page_answers_its_roles_and_refuses_everyone_else(client, world, persona):
    child = ChildFactory(school_class=world.school_class)
    transfer = transfers.request_transfer(
        child=ChildFactory(school_class=world.school_class),
        to_school=world.other_school,
        transfer_on=today(),
        acting_user=world.principal,
    )
    pages = [
        ("transfers:list", [], "get", MANAGERS | {"other_principal"}),
        ("transfers:start", [child.pk], "get", MANAGERS),
        ("transfers:request", [child.pk], "post", MANAGERS),
        ("transfers:elsewhere", [child.pk], "post", MANAGERS),
        ("transfers:cancel", [transfer.pk], "post", MANAGERS),
        ("transfers:accept", [transfer.pk], "post", {"other_principal"}),
        ("transfers:decline", [transfer.pk], "post", {"other_principal"}),
    ]
    client.force_login(getattr(world, persona))
    for name, args, method, allowed in pages:
        response = getattr(client, method)(reverse(name, args=args))
        if persona in allowed:
            assert response.status_code in (200, 302), (name, persona, response.status_code)
        else:
            assert response.status_code in (403, 404), (name, persona, response.status_code)


def test_the_new_schools_staff_cannot_open_the_earlier_schools_record(client, world):
    old, new = a_to_b(world)
    client.force_login(world.other_principal)
    assert client.get(reverse("children:detail", args=[new.pk])).status_code == 200
    assert client.get(reverse("children:detail", args=[old.pk])).status_code == 404


def test_the_apps_above_are_told_the_old_record_left_on_its_last_day(world, monkeypatch):
    from children import lifecycle

    told = []
    monkeypatch.setattr(lifecycle, "_LEAVING", [lambda **kwargs: told.append(kwargs)])
    old, _ = a_to_b(world)
    (call,) = told
    assert [c.pk for c in call["children"]] == [old.pk]
    assert call["on"] == today() - timedelta(days=1) and call["reason"] == lifecycle.LeavingReason.TRANSFERRED
    assert call["acting_user"] == world.other_principal
