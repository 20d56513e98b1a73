"""Staff services as the principal uses them: adding, editing, resetting, leaving; bad input changes
nothing and says why in Chinese."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from caretrack import lifecycle
from caretrack.models import AuditAction, AuditEvent, SchoolClass, StaffProfile
from caretrack.services import staff
from tests.factories import SchoolClassFactory, StaffFactory


def _messages(error: ValidationError) -> str:
    return "；".join(error.messages)


# --- add_staff --------------------------------------------------------------------------------------


def test_added_teacher_can_log_in_with_the_first_password_and_must_change_it(world, client):
    account = staff.add_staff(
        school=world.school,
        name="王小红",
        gender="F",
        phone="139 1111 2222",
        roles={"teacher"},
        acting_user=world.principal,
    )
    assert account.user.username == "wangxiaohong"
    profile = account.user.profile
    assert (profile.school, profile.phone, profile.gender) == (world.school, "13911112222", "F")
    assert profile.is_teacher and not profile.is_principal and profile.must_change_password
    assert client.login(username="wangxiaohong", password=account.password)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, user=world.principal)
    assert event.detail["roles"] == ["teacher"] and account.password not in str(event.detail)


def test_added_teacher_becomes_head_of_an_empty_class(world):
    account = staff.add_staff(
        school=world.school, name="孙老师", roles={"teacher"}, head_of=world.other_class, acting_user=world.principal
    )
    world.other_class.refresh_from_db()
    assert world.other_class.head_teacher == account.user


def test_class_with_a_head_teacher_is_refused_unless_replacing(world):
    with pytest.raises(ValidationError) as error:
        staff.add_staff(
            school=world.school,
            name="孙老师",
            roles={"teacher"},
            head_of=world.school_class,
            acting_user=world.principal,
        )
    assert "已有班主任 陈老师" in _messages(error.value)
    assert not User.objects.filter(first_name="孙老师").exists()

    account = staff.add_staff(
        school=world.school,
        name="孙老师",
        roles={"teacher"},
        head_of=world.school_class,
        replace_head=True,
        acting_user=world.principal,
    )
    world.school_class.refresh_from_db()
    assert world.school_class.head_teacher == account.user
    assert AuditEvent.objects.get(action=AuditAction.CREATE).detail["replaced_head"] == "陈老师"


@pytest.mark.parametrize(
    ("phone", "message"),
    [("1381234567", "11位手机号"), ("0731-84561234", "11位手机号"), ("13800000000", "已被其他在职账号使用")],
)
def test_bad_or_used_phone_is_refused_and_nothing_is_created(world, phone, message):
    before = User.objects.count()
    with pytest.raises(ValidationError) as error:
        staff.add_staff(school=world.school, name="王老师", phone=phone, roles={"teacher"}, acting_user=world.principal)
    assert message in _messages(error.value)
    assert User.objects.count() == before


def test_phone_of_a_teacher_who_left_can_be_given_again(world):
    StaffProfile.objects.filter(user=world.mentor).update(phone="13977776666")
    world.mentor.is_active = False
    world.mentor.save(update_fields=["is_active"])
    staff.add_staff(
        school=world.school, name="新老师", phone="13977776666", roles={"teacher"}, acting_user=world.principal
    )


def test_other_schools_or_graduated_class_cannot_be_headed(world):
    graduated = SchoolClassFactory(school=world.school, grade=6, number=1)
    SchoolClass.objects.filter(pk=graduated.pk).update(graduated_on=date(2026, 7, 1))
    graduated.refresh_from_db()
    for school_class in (world.foreign_class, graduated):
        with pytest.raises(ValidationError, match="本校在读的班级"):
            staff.add_staff(
                school=world.school, name="王老师", roles={"teacher"}, head_of=school_class, acting_user=world.principal
            )


def test_empty_name_or_no_role_is_refused(world):
    with pytest.raises(ValidationError, match="姓名不能为空"):
        staff.add_staff(school=world.school, name="  ", roles={"teacher"}, acting_user=world.principal)
    with pytest.raises(ValidationError, match="至少选择一个角色"):
        staff.add_staff(school=world.school, name="王老师", roles=set(), acting_user=world.principal)


def test_only_the_principal_gives_the_principal_or_coordinator_role(world):
    with pytest.raises(PermissionDenied):
        staff.add_staff(school=world.school, name="王老师", roles={"coordinator"}, acting_user=world.coordinator)
    account = staff.add_staff(school=world.school, name="王老师", roles={"teacher"}, acting_user=world.coordinator)
    assert account.user.profile.is_teacher


# --- update_staff -----------------------------------------------------------------------------------


def test_principal_changes_roles_phone_and_head_class(world):
    staff.update_staff(
        user=world.class_teacher,
        school=world.school,
        data={"roles": {"teacher", "coordinator"}, "phone": "13955556666", "head_of": world.other_class},
        acting_user=world.principal,
    )
    profile = StaffProfile.objects.get(user=world.class_teacher)
    assert profile.is_coordinator and profile.phone == "13955556666"
    assert list(SchoolClass.objects.filter(head_teacher=world.class_teacher)) == [world.other_class]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.detail["fields"] == ["phone", "roles", "head_of"]
    assert event.detail["no_longer_head_of"] == ["三年级(2)班"]


def test_saving_unchanged_data_writes_nothing(world):
    staff.update_staff(user=world.mentor, school=world.school, data={"roles": {"teacher"}}, acting_user=world.principal)
    assert not AuditEvent.objects.exists()


def test_school_keeps_its_last_principal(world):
    with pytest.raises(ValidationError, match="只有这一位校长"):
        staff.update_staff(
            user=world.principal, school=world.school, data={"roles": {"teacher"}}, acting_user=world.principal
        )
    assert StaffProfile.objects.get(user=world.principal).is_principal


def test_head_teacher_keeps_the_teacher_role_until_the_class_is_given_up(world):
    with pytest.raises(ValidationError, match="请先取消其班主任"):
        staff.update_staff(
            user=world.class_teacher, school=world.school, data={"roles": {"coordinator"}}, acting_user=world.principal
        )
    staff.update_staff(
        user=world.class_teacher,
        school=world.school,
        data={"roles": {"coordinator"}, "head_of": None},
        acting_user=world.principal,
    )
    world.school_class.refresh_from_db()
    assert world.school_class.head_teacher is None


def test_staff_of_another_school_cannot_be_edited(world):
    with pytest.raises(ValidationError, match="不属于本校"):
        staff.update_staff(
            user=world.other_teacher, school=world.school, data={"phone": "13955556666"}, acting_user=world.principal
        )


# --- reset_password ---------------------------------------------------------------------------------


def test_reset_password_gives_a_new_first_password(world, client):
    password = staff.reset_password(user=world.mentor, acting_user=world.principal)
    assert client.login(username=world.mentor.username, password=password)
    assert StaffProfile.objects.get(user=world.mentor).must_change_password
    assert password not in str(AuditEvent.objects.get(action=AuditAction.CHANGE).detail)


def test_reset_password_refused_for_oneself_and_for_a_leaver(world):
    with pytest.raises(ValidationError, match="修改您自己的密码"):
        staff.reset_password(user=world.principal, acting_user=world.principal)
    world.mentor.is_active = False
    world.mentor.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="已离职"):
        staff.reset_password(user=world.mentor, acting_user=world.principal)


# --- deactivate_staff -------------------------------------------------------------------------------


@pytest.fixture
def leaving_calls():
    calls = []

    def handler(*, user, on, acting_user):
        calls.append((user, on, acting_user))

    lifecycle.register_staff_leaving(handler)
    yield calls
    lifecycle._STAFF_LEAVING.remove(handler)


def test_leaving_teacher_is_deactivated_unheaded_and_announced(world, leaving_calls, client):
    day = timezone.localdate() - timedelta(days=3)
    staff.deactivate_staff(user=world.class_teacher, on=day, reason="调离：桥江镇第一小学", acting_user=world.principal)
    world.class_teacher.refresh_from_db()
    profile = world.class_teacher.profile
    assert not world.class_teacher.is_active
    assert (profile.left_on, profile.left_reason) == (day, "调离：桥江镇第一小学")
    world.school_class.refresh_from_db()
    assert world.school_class.head_teacher is None
    assert leaving_calls == [(world.class_teacher, day, world.principal)]
    assert User.objects.filter(pk=world.class_teacher.pk).exists()  # never deleted
    assert not client.login(username=world.class_teacher.username, password="test-pass-2026")


def test_leaving_is_undone_when_an_app_refuses_it(world):
    def refuse(*, user, on, acting_user):
        raise ValidationError("结对无法结束")

    lifecycle.register_staff_leaving(refuse)
    try:
        with pytest.raises(ValidationError):
            staff.deactivate_staff(
                user=world.mentor, on=timezone.localdate(), reason="辞职", acting_user=world.principal
            )
    finally:
        lifecycle._STAFF_LEAVING.remove(refuse)
    world.mentor.refresh_from_db()
    assert world.mentor.is_active and world.mentor.profile.left_on is None
    assert not AuditEvent.objects.exists()


def test_principal_cannot_deactivate_themselves_or_the_last_principal(world):
    with pytest.raises(ValidationError, match="不能为自己登记离职"):
        staff.deactivate_staff(
            user=world.principal, on=timezone.localdate(), reason="退休", acting_user=world.principal
        )
    second = StaffFactory(school=world.school, is_principal=True, phone="13933334444").user
    staff.deactivate_staff(user=world.principal, on=timezone.localdate(), reason="退休", acting_user=second)
    # `second` is now the school's only principal: nobody may register their leaving.
    with pytest.raises(ValidationError, match="唯一的校长"):
        staff.deactivate_staff(user=second, on=timezone.localdate(), reason="退休", acting_user=world.coordinator)
    second.refresh_from_db()
    assert second.is_active


def test_leaving_needs_a_reason_and_a_date_not_in_the_future(world):
    with pytest.raises(ValidationError, match="离职原因"):
        staff.deactivate_staff(user=world.mentor, on=timezone.localdate(), reason=" ", acting_user=world.principal)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        staff.deactivate_staff(
            user=world.mentor, on=timezone.localdate() + timedelta(days=1), reason="辞职", acting_user=world.principal
        )
    world.mentor.refresh_from_db()
    assert world.mentor.is_active


def test_second_leaving_of_the_same_teacher_is_refused(world):
    staff.deactivate_staff(user=world.mentor, on=timezone.localdate(), reason="辞职", acting_user=world.principal)
    with pytest.raises(ValidationError, match="已登记离职"):
        staff.deactivate_staff(user=world.mentor, on=timezone.localdate(), reason="辞职", acting_user=world.principal)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == 1


def test_coordinator_cannot_change_roles(world):
    with pytest.raises(PermissionDenied):
        staff.update_staff(
            user=world.mentor, school=world.school, data={"roles": {"coordinator"}}, acting_user=world.coordinator
        )
    assert not StaffProfile.objects.get(user=world.mentor).is_coordinator
