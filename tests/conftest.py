"""Named personas shared by every test: a school with a principal, a coordinator, a class teacher, a
mentor, a bureau user, and a teacher of another school."""

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from caretrack.models import School, SchoolClass
from tests.factories import SchoolClassFactory, SchoolFactory, StaffFactory, TermFactory

# Tests run with DEBUG off, where the site refuses to start on the development key: they get a key of their
# own. The settings are read before this file, so set it on them too; manage.py and gunicorn subprocesses
# inherit it from the environment.
TEST_SECRET_KEY = "tests-only-key-9f3c1a7e5b2d4086-never-used-in-production-c7e1b9a3f5d2"
os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)


@pytest.fixture(autouse=True, scope="session")
def _test_secret_key():
    from django.conf import settings

    settings.SECRET_KEY = os.environ["SECRET_KEY"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached figures are keyed by school id, and ids are reused between tests.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # The test client and live server speak plain HTTP on 127.0.0.1.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _reference_data_survives_transactional_tests(request):
    """Browser tests (live_server) run in transactional mode, whose teardown empties every table, including
    the administrative divisions that a data migration loads. Put them back for the tests that follow."""
    yield
    if "live_server" in request.fixturenames or "transactional_db" in request.fixturenames:
        from guardians.models import Region
        from guardians.regions import load_region_rows

        if not Region.objects.exists():
            Region.objects.bulk_create(
                [Region(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code) for r in load_region_rows()],
                batch_size=500,
            )


@dataclass
class World:
    school: School
    other_school: School
    principal: User
    coordinator: User
    class_teacher: User
    mentor: User
    bureau: User
    other_teacher: User
    other_principal: User
    school_class: SchoolClass
    other_class: SchoolClass  # another class of the same school, headed by nobody in particular
    foreign_class: SchoolClass  # a class of the other school


@pytest.fixture
def world(db) -> World:
    school = SchoolFactory(name="思蒙镇中心小学")
    other = SchoolFactory(name="桥江镇第一小学")
    TermFactory(school=school)
    TermFactory(school=other)
    principal = StaffFactory(school=school, is_principal=True, user__first_name="李校长").user
    coordinator = StaffFactory(school=school, is_coordinator=True, user__first_name="周主任").user
    class_teacher = StaffFactory(school=school, user__first_name="陈老师").user
    mentor = StaffFactory(school=school, user__first_name="刘老师").user
    bureau_profile = StaffFactory(school=None, is_bureau=True, is_teacher=False, user__first_name="教育局")
    bureau_profile.bureau_schools.set([school, other])
    other_teacher = StaffFactory(school=other, user__first_name="外校老师").user
    other_principal = StaffFactory(school=other, is_principal=True, user__first_name="外校校长").user
    school_class = SchoolClassFactory(school=school, grade=3, number=2, head_teacher=class_teacher)
    other_class = SchoolClassFactory(school=school, grade=4, number=1)
    foreign_class = SchoolClassFactory(school=other, grade=3, number=1, head_teacher=other_teacher)
    return World(
        school=school,
        other_school=other,
        principal=principal,
        coordinator=coordinator,
        class_teacher=class_teacher,
        mentor=mentor,
        bureau=bureau_profile.user,
        other_teacher=other_teacher,
        other_principal=other_principal,
        school_class=school_class,
        other_class=other_class,
        foreign_class=foreign_class,
    )


PERSONAS = ["principal", "coordinator", "class_teacher", "mentor", "bureau", "other_teacher", "other_principal"]


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
