"""County administration: the bureau administrator adds a school together with its first principal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from caretrack import audit
from caretrack.accounts import NewAccount, create_account, phone_in_use
from caretrack.models import AuditAction, Gender, School, StaffProfile
from caretrack.validation import validate_phone


@transaction.atomic
def create_school(
    *,
    name: str,
    county: str,
    address: str = "",
    grade_span: str,
    principal_name: str,
    principal_gender: str = "",
    principal_phone: str,
    acting_user,
) -> tuple[School, NewAccount]:
    """Create the school, its first principal's account (with a first password to be changed at the first
    login) and add the school to the administrator's schools, all together or nothing. A school name already
    used, a phone number already in use or a missing name is refused. The audit row never holds the password."""
    admin_profile = StaffProfile.objects.select_for_update().filter(user=acting_user).first()
    if admin_profile is None or not (admin_profile.is_bureau and admin_profile.is_bureau_admin):
        raise PermissionDenied("只有县教育局管理员可以新增学校。")
    name, county, address = name.strip(), county.strip(), address.strip()
    principal_name = principal_name.strip()
    errors = {}
    if not name:
        errors["name"] = "请填写学校名称。"
    elif School.objects.filter(name=name).exists():
        errors["name"] = f"已有名为“{name}”的学校，请核对学校名称。"
    if not county:
        errors["county"] = "请填写所属县（区）。"
    if not principal_name:
        errors["principal_name"] = "请填写校长姓名。"
    if principal_gender not in ("", *Gender.values):
        errors["principal_gender"] = "请选择性别。"
    try:
        principal_phone = validate_phone(principal_phone)
    except ValidationError as error:
        errors["principal_phone"] = error.messages
    else:
        if phone_in_use(principal_phone):
            errors["principal_phone"] = "该手机号已被其他账号使用，请核对。"
    if errors:
        raise ValidationError(errors)
    school = School(name=name, county=county, address=address, grade_span=grade_span)
    school.full_clean()
    school.save()
    account = create_account(
        school=school, name=principal_name, gender=principal_gender, phone=principal_phone, is_principal=True
    )
    admin_profile.bureau_schools.add(school)
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"新增学校：{school.name}",
        school=school,
        model="school",
        pk=school.pk,
        principal=account.user.get_username(),
    )
    return school, account
