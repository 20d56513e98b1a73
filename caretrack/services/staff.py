"""Staff management by the principal (学校设置·教职工): adding one person or a whole sheet, changing roles,
phone and 班主任, resetting a password, registering a leaving. Each function is one transaction that
writes its AuditEvent (never a password) with the change; a first password is returned to be shown once.

Roles are "principal", "coordinator" and "teacher" (StaffProfile's flags); 班主任 is SchoolClass.head_teacher
and requires the teacher role. Only the principal gives the principal and coordinator roles."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from caretrack import audit, lifecycle
from caretrack.accounts import NewAccount, create_account, first_password, phone_in_use
from caretrack.models import AuditAction, Gender, School, SchoolClass, StaffProfile
from caretrack.permissions import can_manage_staff
from caretrack.staff_import import (
    ROLE_LABELS,
    ROLES,
    StaffRow,
    check_mobile,
    check_name,
    check_rows,
    head_changes,
    roles_label,
)

LEAVING_REASONS = ("调离", "退休", "辞职", "其他")
MAX_REASON_LENGTH = 100  # StaffProfile.left_reason


def _target(user: User) -> str:
    return f"教职工 {user.get_full_name() or user.username}（{user.username}）"


def _check_roles(roles, *, acting_user) -> set[str]:
    roles = set(roles or ())
    if not roles:
        raise ValidationError({"roles": "请至少选择一个角色。"})
    if not roles <= ROLES:
        raise ValidationError({"roles": "角色只能是校长、关爱工作负责人或教师。"})
    if roles - {"teacher"} and not can_manage_staff(acting_user):
        raise PermissionDenied("只有校长可以设置“校长”“关爱工作负责人”角色。")
    return roles


def _check_head_of(head_of: SchoolClass | None, *, school: School, roles: set[str], user=None, replace: bool):
    """The class may take this person as 班主任: of this school, still taught, headed by nobody else
    unless `replace`. Returns the name of the 班主任 being replaced, or ""."""
    if head_of is None:
        return ""
    if head_of.school_id != school.pk or head_of.graduated_on is not None:
        raise ValidationError({"head_of": "请选择本校在读的班级。"})
    if "teacher" not in roles:
        raise ValidationError({"head_of": "担任班主任须同时具有“教师”角色。"})
    # Locked: two people giving one class a 班主任 at once are served one after the other.
    locked = SchoolClass.objects.select_for_update(of=("self",)).select_related("head_teacher").get(pk=head_of.pk)
    current = locked.head_teacher
    if current is None or not current.is_active or (user is not None and current.pk == user.pk):
        return ""
    name = current.get_full_name() or current.username
    if not replace:
        raise ValidationError({"head_of": f"{head_of}已有班主任 {name}。如需更换，请勾选“替换现任班主任”。"})
    return name


def _check_person(*, name: str, gender: str, phone: str, exclude_user=None, kept_phone: str = "") -> tuple[str, str]:
    """The name, and the phone as stored; a phone the person already has (`kept_phone`) is left as it is,
    even one written before this rule (a landline, a number a colleague shares)."""
    try:
        name = check_name(name)
    except ValueError as e:
        raise ValidationError({"name": str(e)}) from None
    if gender not in ("", *Gender.values):
        raise ValidationError({"gender": "性别只能是男或女。"})
    if kept_phone and phone == kept_phone:
        return name, phone
    try:
        phone = check_mobile(phone)
    except ValueError as e:
        raise ValidationError({"phone": str(e)}) from None
    if phone_in_use(phone, exclude_user=exclude_user):
        raise ValidationError({"phone": f"手机号 {phone} 已被其他在职账号使用，请核对。"})
    return name, phone


@transaction.atomic
def add_staff(
    *,
    school: School,
    name: str,
    gender: str = "",
    phone: str = "",
    roles: set[str],
    head_of: SchoolClass | None = None,
    replace_head: bool = False,
    acting_user,
) -> NewAccount:
    """Create one staff member of `school` with a first password (to be changed at the first login),
    optionally as 班主任 of `head_of` (refused if the class has another 班主任, unless replace_head).
    Raises ValidationError (by field) and changes nothing on bad input."""
    roles = _check_roles(roles, acting_user=acting_user)
    name, phone = _check_person(name=name, gender=gender, phone=phone)
    replaced = _check_head_of(head_of, school=school, roles=roles, replace=replace_head)
    account = create_account(
        school=school,
        name=name,
        gender=gender,
        phone=phone,
        is_principal="principal" in roles,
        is_coordinator="coordinator" in roles,
        is_teacher="teacher" in roles,
    )
    if head_of is not None:
        _make_head(head_of, account.user)
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(account.user),
        school=school,
        roles=sorted(roles),
        head_of=str(head_of) if head_of else "",
        replaced_head=replaced,
    )
    return account


def _make_head(school_class: SchoolClass, user: User) -> None:
    school_class.head_teacher = user
    school_class.full_clean()
    school_class.save(update_fields=["head_teacher"])


@transaction.atomic
def import_staff(*, school: School, rows: list[StaffRow], acting_user, replace_heads: bool = False) -> list[NewAccount]:
    """Create every row's account, or none: any problem (an empty name, a bad phone, a phone twice or in
    use, an unknown class, a class twice, a class with another 班主任 unless replace_heads) raises one
    ValidationError listing every row's message, and nothing is saved."""
    if not rows:
        raise ValidationError("表中没有可导入的教职工。")
    allowed = ROLES if can_manage_staff(acting_user) else {"teacher"}
    errors = check_rows(school=school, rows=rows, allowed_roles=allowed)
    if errors:
        raise ValidationError([str(e) for e in errors])
    changes = head_changes(school=school, rows=rows)
    if changes and not replace_heads:
        raise ValidationError(
            [f"第{c.row}行：{c.school_class}已有班主任 {c.current}，确认替换后才能导入" for c in changes]
        )
    taken: set[str] = set()
    accounts = []
    for row in rows:
        roles = set(row.roles) | ({"teacher"} if row.head_of else set())
        account = create_account(
            school=school,
            name=row.name.strip(),
            gender=row.gender,
            phone=row.phone,
            is_principal="principal" in roles,
            is_coordinator="coordinator" in roles,
            is_teacher="teacher" in roles,
            taken=taken,
        )
        if row.head_of is not None:
            _make_head(row.head_of, account.user)
        audit.record(
            user=acting_user,
            action=AuditAction.CREATE,
            target=_target(account.user),
            school=school,
            roles=sorted(roles),
            head_of=str(row.head_of) if row.head_of else "",
            source="import",
        )
        accounts.append(account)
    audit.record(
        user=acting_user,
        action=AuditAction.IMPORT,
        target="教职工名单",
        school=school,
        created=len(accounts),
        replaced_heads=[f"{c.school_class}：{c.current}" for c in changes],
    )
    return accounts


def _locked_profile(user: User) -> StaffProfile:
    # Lock the user row: a second click (or a colleague) waits, then sees the first change.
    User.objects.select_for_update().filter(pk=user.pk).first()
    return StaffProfile.objects.select_related("school").get(user_id=user.pk)


def _other_active_principals(school_id: int, user: User) -> bool:
    return (
        StaffProfile.objects.select_for_update(of=("self",))
        .filter(school_id=school_id, is_principal=True, user__is_active=True)
        .exclude(user_id=user.pk)
        .exists()
    )


def _roles_of(profile: StaffProfile) -> set[str]:
    flags = {"principal": profile.is_principal, "coordinator": profile.is_coordinator, "teacher": profile.is_teacher}
    return {role for role, flag in flags.items() if flag}


@transaction.atomic
def update_staff(*, user: User, school: School, data: dict, acting_user) -> None:
    """Change a staff member's name, gender, phone, roles or 班主任. `data` keys: name, gender, phone, roles,
    head_of, replace_head; a key left out keeps its value. head_of is the one class they head afterwards
    (None: none; another 班主任 is replaced only with replace_head). The school's last principal keeps the
    principal role; only the principal changes roles. Nothing is written when nothing changed."""
    profile = _locked_profile(user)
    user.refresh_from_db(fields=["is_active", "first_name"])
    if profile.school_id != school.pk:
        raise ValidationError("该教职工不属于本校。")
    if not user.is_active:
        raise ValidationError("该教职工已离职，不能修改。")
    current_roles = _roles_of(profile)
    roles = current_roles
    if "roles" in data and set(data["roles"] or ()) != current_roles:
        if not can_manage_staff(acting_user):
            raise PermissionDenied("只有校长可以设置角色。")
        roles = _check_roles(data["roles"], acting_user=acting_user)
        if "principal" in current_roles - roles and not _other_active_principals(school.pk, user):
            raise ValidationError({"roles": "本校只有这一位校长，不能取消其“校长”角色。"})
    gender = data.get("gender", profile.gender)
    name, phone = _check_person(
        name=data.get("name", user.first_name),
        gender=gender,
        phone=data.get("phone", profile.phone),
        exclude_user=user,
        kept_phone=profile.phone,
    )
    heads = list(SchoolClass.objects.active().filter(head_teacher=user))
    replaced = ""
    if "head_of" in data:
        head_of = data["head_of"]
        replaced = _check_head_of(
            head_of, school=school, roles=roles, user=user, replace=data.get("replace_head", False)
        )
        after = [head_of] if head_of is not None else []
    else:
        after = heads
        if heads and "teacher" not in roles:
            raise ValidationError({"roles": "该教职工是班主任，取消“教师”角色前请先取消其班主任。"})

    changed: list[str] = []
    if name != user.first_name:
        user.first_name = name
        user.full_clean(exclude=["password"])
        user.save(update_fields=["first_name"])
        changed.append("name")
    profile_fields = []
    for field_name, value in (
        ("gender", gender),
        ("phone", phone),
        ("is_principal", "principal" in roles),
        ("is_coordinator", "coordinator" in roles),
        ("is_teacher", "teacher" in roles),
    ):
        if getattr(profile, field_name) != value:
            setattr(profile, field_name, value)
            profile_fields.append(field_name)
    if profile_fields:
        profile.full_clean()
        profile.save(update_fields=profile_fields)
        changed += sorted({"roles" if f.startswith("is_") else f for f in profile_fields})
    head_detail = {}
    if {c.pk for c in heads} != {c.pk for c in after}:
        for school_class in heads:
            if school_class not in after:
                school_class.head_teacher = None
                school_class.save(update_fields=["head_teacher"])
        for school_class in after:
            if school_class not in heads:
                _make_head(school_class, user)
        changed.append("head_of")
        head_detail = {
            "head_of": "、".join(str(c) for c in after),
            "replaced_head": replaced,
            "no_longer_head_of": [str(c) for c in heads if c not in after],
        }
    if not changed:
        return
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=_target(user),
        school=school,
        fields=changed,
        roles=sorted(roles),
        **head_detail,
    )


@transaction.atomic
def reset_password(*, user: User, acting_user) -> str:
    """Give `user` a new first password (returned, to be shown once) that must be changed at the next
    login; their open sessions end with the old password."""
    if user.pk == acting_user.pk:
        raise ValidationError("请通过“修改密码”修改您自己的密码。")
    profile = _locked_profile(user)
    user.refresh_from_db(fields=["is_active"])
    if not user.is_active:
        raise ValidationError("该教职工已离职，不能重置密码。")
    password = first_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    profile.must_change_password = True
    profile.save(update_fields=["must_change_password"])
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=_target(user),
        school=profile.school,
        fields=["password"],
        password_reset=True,
    )
    return password


@transaction.atomic
def deactivate_staff(*, user: User, on: date, reason: str, acting_user) -> None:
    """Register that `user` left on `on`: the account is deactivated (never deleted), the date and reason
    kept, the user removed as 班主任 of every class still taught, and every app told (lifecycle.staff_left,
    e.g. mentoring ends the pairings) in this same transaction. Refused for oneself and for the school's
    last principal."""
    reason = (reason or "").strip()
    if user.pk == acting_user.pk:
        raise ValidationError("您不能为自己登记离职。")
    if not reason:
        raise ValidationError({"reason": "请填写离职原因。"})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"离职原因最多 {MAX_REASON_LENGTH} 个字。"})
    if on is None or on > timezone.localdate():
        raise ValidationError({"on": "离职日期不能晚于今天。"})
    profile = _locked_profile(user)
    user.refresh_from_db(fields=["is_active"])
    if not user.is_active:
        raise ValidationError("该教职工已登记离职。")
    if profile.is_principal and not _other_active_principals(profile.school_id, user):
        raise ValidationError("不能停用本校唯一的校长账号：请先为另一位教职工设置“校长”角色。")
    user.is_active = False
    user.save(update_fields=["is_active"])
    profile.left_on = on
    profile.left_reason = reason
    profile.full_clean()
    profile.save(update_fields=["left_on", "left_reason"])
    headed = list(SchoolClass.objects.active().filter(head_teacher=user))
    SchoolClass.objects.filter(pk__in=[c.pk for c in headed]).update(head_teacher=None)
    lifecycle.staff_left(user=user, on=on, acting_user=acting_user)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=_target(user),
        school=profile.school,
        fields=["is_active", "left_on", "left_reason"],
        deactivated=True,
        left_on=on.isoformat(),
        left_reason=reason,
        no_longer_head_of=[str(c) for c in headed],
    )


@transaction.atomic
def clear_first_password(*, user: User) -> None:
    """The user has chosen their own password: the first-login block (caretrack.middleware) lifts. Their
    own change, written under their name."""
    profile = StaffProfile.objects.filter(user_id=user.pk).select_related("school").first()
    if profile is None:
        return
    was_first = profile.must_change_password
    if was_first:
        profile.must_change_password = False
        profile.save(update_fields=["must_change_password"])
    audit.record(
        user=user,
        action=AuditAction.CHANGE,
        target=_target(user),
        school=profile.school,
        fields=["password"],
        first_password_replaced=was_first,
    )


__all__ = [
    "LEAVING_REASONS",
    "ROLE_LABELS",
    "add_staff",
    "clear_first_password",
    "deactivate_staff",
    "import_staff",
    "reset_password",
    "roles_label",
    "update_staff",
]
