"""Accounts for people of a school: the one place a user, its staff profile and its first password are
made, whether the principal adds one teacher, imports the staff list or the county administrator adds a
school's first principal. A first password is shown once (on the page and the printable slip) and must
be changed at the first login (StaffProfile.must_change_password, caretrack.middleware)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from pypinyin import lazy_pinyin

from caretrack.models import School, StaffProfile

# No 0/O, 1/l/I: a first password is read off a paper slip and typed on a phone.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def first_password() -> str:
    """A random first password of 10 characters from an unambiguous alphabet (about 49 bits)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(10))


def username_for(name: str, phone: str = "", *, taken: set[str] | None = None) -> str:
    """The login name for a new account: the full pinyin of the name (张三 → zhangsan), or the phone number
    when the name has no pinyin; a number is added when the name is taken (zhangsan2). `taken` holds the
    names already given in the same batch, which are not in the database yet."""
    taken = taken if taken is not None else set()
    base = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(name.strip())).lower())
    if not base:
        base = phone if _PHONE.match(phone or "") else "teacher"
    candidate, n = base, 1
    while candidate in taken or User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


@dataclass(frozen=True)
class NewAccount:
    user: User
    password: str  # shown once, never stored in clear


def create_account(
    *,
    school: School | None,
    name: str,
    gender: str = "",
    phone: str = "",
    is_principal: bool = False,
    is_coordinator: bool = False,
    is_teacher: bool = True,
    is_bureau: bool = False,
    is_bureau_admin: bool = False,
    taken: set[str] | None = None,
) -> NewAccount:
    """Make the user and profile (no audit here: the calling service writes its own row in its transaction).
    The caller checks the input first (a phone already used, a name missing)."""
    password = first_password()
    user = User(username=username_for(name, phone, taken=taken), first_name=name.strip())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    StaffProfile.objects.create(
        user=user,
        school=school,
        gender=gender,
        phone=phone,
        is_principal=is_principal,
        is_coordinator=is_coordinator,
        is_teacher=is_teacher,
        is_bureau=is_bureau,
        is_bureau_admin=is_bureau_admin,
        must_change_password=True,
    )
    return NewAccount(user=user, password=password)


def phone_in_use(phone: str, *, exclude_user=None) -> bool:
    """A phone number already belongs to an active account (phone numbers identify people at login help)."""
    if not phone:
        return False
    profiles = StaffProfile.objects.filter(phone=phone, user__is_active=True)
    if exclude_user is not None:
        profiles = profiles.exclude(user=exclude_user)
    return profiles.exists()
