"""Walks every URL pattern of the project as every persona and checks allowed vs 403/404.

A new URL without an entry in ACCESS fails test_every_url_has_an_access_rule, so no page ships without
a permission decision. Each entry says how to fill the URL's arguments from the `objects` fixture and
which personas may use it; everyone else must get 403 or 404 (or, for a logged-out visitor, the login page).
"""

import os
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS
from tests.factories import ChildFactory, GuardianFactory, PairingFactory, ParentFactory

ALL = set(PERSONAS)
SCHOOL_MANAGERS = {"principal", "coordinator"}
SCHOOL_STAFF = {"principal", "coordinator", "class_teacher", "mentor"}


@dataclass
class Rule:
    allowed: set[str]
    kwargs: dict = field(default_factory=dict)  # url kwarg -> key in the objects fixture
    method: str = "get"
    public: bool = False  # reachable without logging in
    ends_on_login_page: bool = False  # logout: the allowed answer is a redirect to the login page


# url name -> Rule. Admin URLs are Django's own and checked separately (staff only).
ACCESS: dict[str, Rule] = {
    "home": Rule(ALL),
    "healthz": Rule(ALL, public=True),
    "service_worker": Rule(ALL, public=True),
    "web_manifest": Rule(ALL, public=True),
    "login": Rule(ALL, public=True),
    "logout": Rule(ALL, method="post", ends_on_login_page=True),
    "password_change": Rule(ALL),
    "password_change_done": Rule(ALL),
    "caretrack:audit": Rule({"principal", "other_principal"}),
    "notifications:list": Rule(ALL),
    "notifications:read_all": Rule(ALL, method="post"),
    "children:list": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "children:create": Rule({"principal", "coordinator", "class_teacher", "other_teacher", "other_principal"}),
    "children:contact_cards": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}, method="post"),
    "children:detail": Rule(SCHOOL_STAFF, kwargs={"pk": "child"}),
    "children:call_parent": Rule(SCHOOL_STAFF, kwargs={"pk": "parent"}),
    "children:call_guardian": Rule(SCHOOL_STAFF, kwargs={"pk": "family_guardian"}),
    # Excel import and export: school managers (a principal of another school imports into their own).
    "children:import": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "children:import_confirm": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "children:import_template": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "children:import_errors": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "children:import_left_out": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "children:export_roster": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "children:export_register": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "mentoring:export_talks": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "mentoring:export_visits": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "children:export_summary": Rule(SCHOOL_MANAGERS | {"other_principal", "bureau"}, method="post"),
    "children:edit": Rule({"principal", "coordinator", "class_teacher"}, kwargs={"pk": "child"}),
    "children:archive": Rule({"principal", "coordinator", "class_teacher"}, kwargs={"pk": "child"}),
    **{
        f"children:archive_{key}": Rule({"principal", "coordinator", "class_teacher"}, kwargs={"pk": "child"})
        for key in ("basics", "home", "father", "mother", "grandparents", "guardian", "assessment", "hardship", "study")
    },
    "children:parent_status": Rule(
        {"principal", "coordinator", "class_teacher"}, kwargs={"pk": "child"}, method="post"
    ),
    "reports:dashboard": Rule({"principal", "coordinator", "other_principal"}),
    "reports:county": Rule({"bureau"}),
    "reports:term_report": Rule({"principal", "coordinator", "other_principal"}),
    "reports:term_report_pdf": Rule({"principal", "coordinator", "other_principal"}, method="post"),
    # The bureau copy of the school's own 工作总结: its preview and its download (the bureau has its own).
    "reports:bureau_copy": Rule({"principal", "coordinator", "other_principal"}),
    "reports:bureau_copy_pdf": Rule({"principal", "coordinator", "other_principal"}, method="post"),
    "reports:county_xlsx": Rule({"bureau"}, method="post"),
    "reports:county_school_pdf": Rule({"bureau"}, kwargs={"school_id": "report_school"}, method="post"),
    "reports:term_report_submit": Rule({"principal", "other_principal"}),
    "reports:submitted_pdf": Rule({"principal", "coordinator", "other_principal"}, method="post"),
    "reports:county_deadline": Rule({"bureau"}, method="post"),
    "reports:county_submitted_zip": Rule({"bureau"}, method="post"),
    "reports:county_return": Rule({"bureau"}, kwargs={"school_id": "report_school"}),
    "reports:county_trends": Rule({"bureau"}),
    "reports:county_grades": Rule({"bureau"}, kwargs={"school_id": "report_school"}),
    "reports:mentor_work": Rule({"principal", "coordinator", "other_principal"}),
    "reports:mentor_work_xlsx": Rule({"principal", "coordinator", "other_principal"}, method="post"),
    "guardians:region_options": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    # mentoring (issue 4): logs follow the child's scope; only the author (within 7 days) and the
    # coordinator may change a log; pairings and concerns are the school managers'.
    "mentoring:my_students": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "mentoring:concerns": Rule({"principal", "coordinator", "other_principal"}),
    "mentoring:concern_close": Rule({"principal", "coordinator"}, kwargs={"pk": "concern"}, method="post"),
    "mentoring:my_cases": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "mentoring:case_detail": Rule(SCHOOL_STAFF, kwargs={"pk": "concern"}),
    **{
        f"mentoring:case_{step}": Rule(SCHOOL_MANAGERS, kwargs={"pk": "concern"}, method="post")
        for step in ("assign", "risk", "action_add", "referral_add", "reopen")
    },
    "mentoring:case_action_done": Rule(SCHOOL_MANAGERS | {"mentor"}, kwargs={"pk": "case_action"}, method="post"),
    "mentoring:case_referral_outcome": Rule(SCHOOL_MANAGERS, kwargs={"pk": "referral"}, method="post"),
    "mentoring:pairings": Rule({"principal", "coordinator", "other_principal"}),
    "mentoring:pairing_create": Rule({"principal", "coordinator", "other_principal"}),
    "mentoring:pairing_children": Rule({"principal", "coordinator", "other_principal"}),
    "mentoring:pairing_end": Rule({"principal", "coordinator"}, kwargs={"pk": "pairing"}, method="post"),
    "mentoring:unpaired": Rule({"principal", "coordinator", "other_principal"}),
    "mentoring:bulk_pair": Rule({"principal", "coordinator", "other_principal"}, method="post"),
    "mentoring:external_mentor_create": Rule({"principal", "coordinator", "other_principal"}),
    "mentoring:settings": Rule({"principal", "coordinator", "other_principal"}),
    "mentoring:chronology": Rule(SCHOOL_STAFF, kwargs={"pk": "child"}),
    **{
        f"mentoring:{prefix}_{action}": rule
        for prefix, obj in [
            ("talk", "talk"),
            ("visit", "visit"),
            ("family_contact", "family"),
            ("guardian_contact", "guardian"),
        ]
        for action, rule in [
            ("create", Rule(SCHOOL_STAFF, kwargs={"pk": "child"})),
            ("detail", Rule(SCHOOL_STAFF, kwargs={"pk": obj})),
            ("edit", Rule({"mentor", "coordinator"}, kwargs={"pk": obj})),
            ("delete", Rule({"mentor", "coordinator"}, kwargs={"pk": obj}, method="post")),
        ]
    },
    # activities (issue 5): every staff member reads the lists (child records within their scope); school
    # managers record everything, class teachers record and edit activities of their own class.
    "activities:list": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "activities:create": Rule({"principal", "coordinator", "class_teacher", "other_teacher", "other_principal"}),
    "activities:detail": Rule(SCHOOL_STAFF, kwargs={"pk": "activity"}),
    "activities:edit": Rule({"principal", "coordinator", "class_teacher"}, kwargs={"pk": "activity"}),
    "activities:photo_add": Rule(
        {"principal", "coordinator", "class_teacher"}, kwargs={"pk": "activity"}, method="post"
    ),
    "activities:photo": Rule(SCHOOL_STAFF, kwargs={"pk": "activity_photo"}),
    "activities:participant_options": Rule(
        {"principal", "coordinator", "class_teacher", "other_teacher", "other_principal"}
    ),
    "activities:pending_photo": Rule(set(), kwargs={"token": "pending_photo"}),
    "mentoring:visit_photo": Rule(SCHOOL_STAFF, kwargs={"pk": "visit_photo"}),
    "mentoring:visit_photo_thumbnail": Rule(SCHOOL_STAFF, kwargs={"pk": "visit_photo"}),
    "mentoring:pending_visit_photo": Rule(set(), kwargs={"token": "pending_photo"}),
    "activities:photo_delete": Rule(
        {"principal", "coordinator", "class_teacher"}, kwargs={"pk": "activity_photo"}, method="post"
    ),
    "activities:care_room": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "activities:care_room_create": Rule({"principal", "coordinator", "other_principal"}),
    "activities:aid": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "activities:aid_create": Rule({"principal", "coordinator", "other_principal"}),
    "activities:health": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "activities:health_create": Rule({"principal", "coordinator", "other_principal"}),
    "activities:health_class": Rule({"principal", "coordinator", "other_principal"}),
    "activities:exams": Rule(SCHOOL_STAFF | {"other_teacher", "other_principal"}),
    "activities:exam_create": Rule({"principal", "coordinator", "other_principal"}),
    "activities:exam_results": Rule({"principal", "coordinator"}, kwargs={"pk": "exam"}),
    "activities:delete": Rule({"principal", "coordinator", "class_teacher"}, kwargs={"pk": "activity"}, method="post"),
    "activities:care_room_edit": Rule({"principal", "coordinator"}, kwargs={"pk": "care_room_opening"}),
    "activities:care_room_delete": Rule(
        {"principal", "coordinator"}, kwargs={"pk": "care_room_opening"}, method="post"
    ),
    "activities:aid_edit": Rule({"principal", "coordinator"}, kwargs={"pk": "aid"}),
    "activities:aid_delete": Rule({"principal", "coordinator"}, kwargs={"pk": "aid"}, method="post"),
    # The school year (issue 13): 学校设置, staff, terms, the term-start checklist, 升年级, transfers, county.
    "school:index": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "school:settings": Rule({"principal", "other_principal"}),
    "school:classes": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "school:class_create": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "school:class_head_teacher": Rule(SCHOOL_MANAGERS, kwargs={"pk": "empty_class"}, method="post"),
    "school:class_enrolment": Rule(SCHOOL_MANAGERS, kwargs={"pk": "empty_class"}, method="post"),
    "school:class_delete": Rule(SCHOOL_MANAGERS, kwargs={"pk": "empty_class"}, method="post"),
    "school:terms": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "school:term_create": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "school:term_edit": Rule(SCHOOL_MANAGERS, kwargs={"pk": "future_term"}),
    "school:term_make_current": Rule({"principal"}, kwargs={"pk": "future_term"}, method="post"),
    "school:leading_group": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "school:leading_group_add": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "school:leading_group_edit": Rule(SCHOOL_MANAGERS, kwargs={"pk": "leading_group_member"}),
    "school:leading_group_remove": Rule(SCHOOL_MANAGERS, kwargs={"pk": "leading_group_member"}, method="post"),
    "county:schools": Rule(set()),  # the bureau administrator only: not one of the personas
    "county:school_create": Rule(set()),
    "staff:list": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "staff:add": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "staff:new_accounts": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "staff:import": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "staff:import_confirm": Rule(SCHOOL_MANAGERS | {"other_principal"}, method="post"),
    "staff:import_template": Rule(SCHOOL_MANAGERS | {"other_principal"}),
    "staff:edit": Rule({"principal"}, kwargs={"pk": "staff_member"}),
    "staff:reset_password": Rule({"principal"}, kwargs={"pk": "staff_member"}, method="post"),
    "staff:deactivate": Rule({"principal"}, kwargs={"pk": "staff_member"}),
    "rollover:checklist": Rule({"principal", "coordinator", "other_principal"}),
    "promotion:preview": Rule({"principal", "other_principal"}),
    "promotion:run": Rule({"principal", "other_principal"}, method="post"),
    "promotion:result": Rule({"principal"}, kwargs={"pk": "promotion_run"}),
    "promotion:undo": Rule({"principal"}, kwargs={"pk": "promotion_run"}, method="post"),
    "transfers:list": Rule({"principal", "coordinator", "other_principal"}),
    "transfers:start": Rule(SCHOOL_MANAGERS, kwargs={"pk": "child"}),
    "transfers:request": Rule(SCHOOL_MANAGERS, kwargs={"pk": "child"}, method="post"),
    "transfers:elsewhere": Rule(SCHOOL_MANAGERS, kwargs={"pk": "child"}, method="post"),
    "transfers:cancel": Rule(SCHOOL_MANAGERS, kwargs={"pk": "transfer"}, method="post"),
    "transfers:accept": Rule({"other_principal"}, kwargs={"pk": "transfer"}, method="post"),
    "transfers:decline": Rule({"other_principal"}, kwargs={"pk": "transfer"}, method="post"),
    "reports:transfer_pdf": Rule(SCHOOL_MANAGERS, kwargs={"pk": "child"}, method="post"),
}


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            if pattern.namespace == "admin":
                continue
            yield from _walk(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


def all_url_names() -> list[str]:
    return sorted(set(_walk(get_resolver())))


@pytest.fixture
def objects(world):
    """One object of each kind in the first school, visible to its class teacher and its mentor."""
    child = ChildFactory(school_class=world.school_class)
    PairingFactory(child=child, mentor=world.mentor)
    found = {"child": child, "parent": ParentFactory(child=child), "family_guardian": GuardianFactory(child=child)}
    for hook in OBJECT_HOOKS:
        found.update(hook(world, found))
    return found


# Apps add functions (world, objects) -> dict of extra objects for their URLs.
OBJECT_HOOKS: list = []
OBJECT_HOOKS.append(lambda world, found: {"report_school": world.school})  # reports: a bureau user's school


def _mentoring_objects(world, found):
    from django.utils import timezone

    from mentoring.models import CaseAction, Pairing, Referral
    from tests.factories import (
        ConcernFactory,
        FamilyContactFactory,
        GuardianContactFactory,
        HomeVisitFactory,
        TalkFactory,
    )

    child, mentor, today = found["child"], world.mentor, timezone.localdate()
    concern = ConcernFactory(child=child, raised_by=mentor)
    return {
        "pairing": Pairing.objects.get(child=child, mentor=mentor),
        "talk": TalkFactory(child=child, author=mentor),
        "visit": HomeVisitFactory(child=child, author=mentor),
        "family": FamilyContactFactory(child=child, author=mentor),
        "guardian": GuardianContactFactory(child=child, author=mentor),
        "concern": concern,
        "case_action": CaseAction.objects.create(
            concern=concern, what="家访", who=mentor, due_on=today, created_by=world.coordinator
        ),
        "referral": Referral.objects.create(
            concern=concern, agency="other", referred_on=today, created_by=world.coordinator
        ),
    }


OBJECT_HOOKS.append(_mentoring_objects)  # mentoring: the mentor's logs of the paired child


def _visit_photo_objects(world, found):
    import io
    from types import SimpleNamespace

    from django.core.files.base import ContentFile
    from PIL import Image

    from caretrack.uploads import private_storage
    from mentoring.models import HomeVisitPhoto

    # One tiny JPEG in the private storage per test worker, reused by every run (as the activity photo below).
    name = f"test-access/visit-photo-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jpg"
    if not private_storage.exists(name):
        image = io.BytesIO()
        Image.new("RGB", (4, 3), "white").save(image, "JPEG")
        private_storage.save(name, ContentFile(image.getvalue()))
    photo = HomeVisitPhoto.objects.create(visit=found["visit"], image=name, thumbnail=name, width=4, height=3)
    # A pending upload's token is the user's own: nobody gets another's (404 for every persona).
    return {"visit_photo": photo, "pending_photo": SimpleNamespace(pk="0" * 32)}


OBJECT_HOOKS.append(_visit_photo_objects)  # mentoring: a home visit's photo; activities: a pending photo token


def _activities_objects(world, found):
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from activities.models import ActivityPhoto
    from tests.factories import ActivityFactory, AidFactory, CareRoomOpeningFactory, ExamFactory

    activity = ActivityFactory(school=world.school, school_class=world.school_class)
    activity.participations.create(child=found["child"])
    # One tiny JPEG under a fixed name in MEDIA_ROOT (git-ignored), reused by every run; one per test worker,
    # so that two workers never write the same file at once.
    name = f"test-access/photo-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jpg"
    if not default_storage.exists(name):
        image = io.BytesIO()
        Image.new("RGB", (4, 3), "white").save(image, "JPEG")
        default_storage.save(name, ContentFile(image.getvalue()))
    photo = ActivityPhoto.objects.create(activity=activity, image=name, caption="活动照片")
    return {
        "activity": activity,
        "activity_photo": photo,
        "exam": ExamFactory(school=world.school),
        "care_room_opening": CareRoomOpeningFactory(school=world.school),
        "aid": AidFactory(child=found["child"]),
    }


OBJECT_HOOKS.append(_activities_objects)  # activities: a class activity with a photo, and an exam


def _school_year_objects(world, found):
    from datetime import date

    from django.utils import timezone

    from caretrack.models import LeadingGroupMember, Term
    from children.models import PromotionRun
    from children.services.transfers import request_transfer

    future = Term.objects.create(
        school=world.school, start_year=2040, semester=1, start_date=date(2040, 9, 1), end_date=date(2041, 1, 31)
    )
    leaving = ChildFactory(school_class=world.school_class)
    return {
        "empty_class": world.other_class,
        "future_term": future,
        "leading_group_member": LeadingGroupMember.objects.create(
            school=world.school, user=world.mentor, position="member"
        ),
        "staff_member": world.mentor,
        "promotion_run": PromotionRun.objects.create(
            school=world.school, school_year=2020, run_on=date(2021, 7, 10), performed_by=world.principal
        ),
        "transfer": request_transfer(
            child=leaving, to_school=world.other_school, transfer_on=timezone.localdate(), acting_user=world.principal
        ),
    }


OBJECT_HOOKS.append(_school_year_objects)  # the school year: terms, staff, 升年级, transfers


def test_every_url_has_an_access_rule():
    missing = [name for name in all_url_names() if name not in ACCESS]
    assert not missing, f"URL patterns without an access rule in tests/test_access.py: {missing}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", all_url_names())
def test_url_access_per_persona(client, world, objects, persona, url_name):
    rule = ACCESS[url_name]
    url = reverse(url_name, kwargs={k: objects[v].pk for k, v in rule.kwargs.items()})
    client.force_login(getattr(world, persona))
    response = getattr(client, rule.method)(url)
    if persona in rule.allowed:
        assert response.status_code in (200, 302), f"{persona} should reach {url_name}, got {response.status_code}"
        if response.status_code == 302 and not rule.ends_on_login_page:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code in (403, 404), f"{persona} must not reach {url_name}, got {response.status_code}"


@pytest.mark.parametrize("url_name", all_url_names())
def test_anonymous_visitor_is_sent_to_login(client, world, objects, url_name):
    rule = ACCESS[url_name]
    url = reverse(url_name, kwargs={k: objects[v].pk for k, v in rule.kwargs.items()})
    response = getattr(client, rule.method)(url)
    if rule.public or rule.ends_on_login_page:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_is_for_django_staff_only(client, world):
    client.force_login(world.principal)
    assert client.get("/admin/").status_code == 302  # to the admin login: the principal is not Django staff
