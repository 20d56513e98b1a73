"""The archive in parts a phone can manage (issue 16, item 5): a new archive asks 基本信息 only, then each
section of the archive opens and saves on its own page; the meter says how complete it is and which
section lacks what; a rejected save lists its errors at the top with links to the fields; the guardian
can be chosen among the grandparents already entered."""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from children.completeness import annotate_completeness, completeness_of
from children.models import Child, EnrolmentStatus, Grandparent, Guardian, Parent
from tests.factories import ChildFactory, GuardianFactory, PairingFactory, ParentFactory, valid_id_number

pytestmark = pytest.mark.django_db

EDITORS = ("principal", "coordinator", "class_teacher")


class _FormValues(HTMLParser):
    """What a browser would send back from the page's archive form, untouched."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "archive-form":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(a["name"], []).append(a.get("value", "on"))
            else:
                self.values.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select = a["name"]
            self.values.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data.strip("\n")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_values(response, **changes) -> dict:
    parser = _FormValues()
    parser.feed(response.content.decode())
    data = {
        name: values if len(values) > 1 else (values[0] if values else "") for name, values in parser.values.items()
    }
    data.update(changes)
    return data


def section_url(child, key):
    return reverse(f"children:archive_{key}", args=[child.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def family(world):
    """A child both of whose parents work away, with the paternal grandmother (张奶奶) entered and a guardian."""
    child = ChildFactory(school_class=world.school_class, name="王小花", left_behind_type="both_away")
    ParentFactory(child=child, role="father", name="王建国", phone="13912345678")
    ParentFactory(child=child, role="mother", name="李秀兰", phone="13712345678")
    Grandparent.objects.create(child=child, role="pgm", name="张奶奶", birth_year=1959, lives_with_child=True)
    return child


# --- Creating: 基本信息 only --------------------------------------------------------------------------


def test_a_new_archive_asks_only_the_basics_and_then_opens_in_sections(world):
    client = logged_in(world.class_teacher)
    page = client.get(reverse("children:create"))
    html = page.content.decode()
    assert 'name="child-name"' in html and 'name="child-id_number"' in html and 'name="child-school_class"' in html
    assert 'name="father-phone"' not in html and 'name="guardian-name"' not in html
    assert 'name="child-hukou_address"' not in html and 'name="child-personality"' not in html
    response = client.post(
        reverse("children:create"),
        page_values(
            page,
            **{
                "child-name": "张小明",
                "child-gender": "M",
                "child-birth_date": "2017-03-02",
                "child-id_number": valid_id_number(),
                "child-school_class": world.school_class.pk,
            },
        ),
    )
    child = Child.objects.get(name="张小明")
    assert response.status_code == 302 and response["Location"] == reverse("children:archive", args=[child.pk])
    assert child.status == EnrolmentStatus.ENROLLED and child.has_hukou and not Parent.objects.exists()
    sections = client.get(response["Location"]).content.decode()
    assert "已为 张小明 建档" in sections
    for title in (
        "基本信息",
        "住址与就学",
        "父亲",
        "母亲",
        "祖辈",
        "委托监护人",
        "家庭监护评估",
        "困境儿童认定",
        "学习与健康",
    ):
        assert f'<span class="fw-semibold">{title}</span>' in sections


# --- One section, one save --------------------------------------------------------------------------


def test_a_section_saves_alone_and_leaves_a_colleagues_edit_of_another_section(world, family):
    coordinator, teacher = logged_in(world.coordinator), logged_in(world.class_teacher)
    GuardianFactory(child=family, name="张奶奶", relation="pgm", phone="13700001111")
    father_page = coordinator.get(section_url(family, "father"))  # opened first …
    guardian_page = teacher.get(section_url(family, "guardian"))
    saved = teacher.post(
        section_url(family, "guardian"), page_values(guardian_page, **{"guardian-phone": "13700002222"})
    )
    assert saved.status_code == 302
    audits = AuditEvent.objects.filter(action=AuditAction.CHANGE).count()
    # … and saved after the colleague's save of another section: accepted, and the colleague's edit stays.
    response = coordinator.post(
        section_url(family, "father"), page_values(father_page, **{"father-phone": "13800001111"})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("children:archive", args=[family.pk]) + "#section-father"
    assert Parent.objects.get(child=family, role="father").phone == "13800001111"
    assert Guardian.objects.get(child=family, until__isnull=True).phone == "13700002222"
    assert Parent.objects.get(child=family, role="mother").phone == "13712345678"
    family.refresh_from_db()
    assert family.name == "王小花" and family.hukou_address == "溆浦县青山村3组"
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == audits + 1
    father_history = Parent.history.filter(child_id=family.pk, role="father").order_by("history_date")
    assert [r.phone for r in father_history] == ["13912345678", "13800001111"]
    assert father_history.last().history_user == world.coordinator


def test_saving_the_study_section_does_not_touch_the_childs_other_fields(world, family):
    client = logged_in(world.coordinator)
    page = client.get(section_url(family, "study"))
    html = page.content.decode()
    assert 'name="child-interests"' in html and 'name="child-name"' not in html and 'name="father-phone"' not in html
    Child.objects.filter(pk=family.pk).update(current_address="县城新区5栋")  # a colleague's edit meanwhile
    client.post(section_url(family, "study"), page_values(page, **{"child-interests": "书法"}))
    family.refresh_from_db()
    assert family.interests == "书法" and family.current_address == "县城新区5栋"


def test_two_tabs_of_one_section_keep_both_edits_of_different_fields(world, family):
    first, second = logged_in(world.coordinator), logged_in(world.class_teacher)
    first_page, second_page = first.get(section_url(family, "father")), second.get(section_url(family, "father"))
    first.post(section_url(family, "father"), page_values(first_page, **{"father-phone": "13800001111"}))
    response = second.post(
        section_url(family, "father"), page_values(second_page, **{"father-employer": "东莞某电子厂"})
    )
    assert response.status_code == 302
    father = Parent.objects.get(child=family, role="father")
    assert father.phone == "13800001111" and father.employer == "东莞某电子厂"


def test_a_stale_section_changing_the_field_a_colleague_changed_is_refused_then_saved_on_purpose(world, family):
    first, second = logged_in(world.coordinator), logged_in(world.class_teacher)
    first_page, second_page = first.get(section_url(family, "father")), second.get(section_url(family, "father"))
    first.post(section_url(family, "father"), page_values(first_page, **{"father-phone": "13800001111"}))
    refused = second.post(section_url(family, "father"), page_values(second_page, **{"father-phone": "13600002222"}))
    html = refused.content.decode()
    assert refused.status_code == 200 and "本次没有保存" in html
    assert "父亲 · 联系电话：13912345678 → 13800001111" in html and 'value="13600002222"' in html
    assert Parent.objects.get(child=family, role="father").phone == "13800001111"
    again = second.post(section_url(family, "father"), page_values(refused))  # having seen the change
    assert again.status_code == 302
    assert Parent.objects.get(child=family, role="father").phone == "13600002222"


def test_saving_a_section_twice_writes_once(world, family):
    client = logged_in(world.coordinator)
    data = page_values(client.get(section_url(family, "father")), **{"father-phone": "13800001111"})
    assert client.post(section_url(family, "father"), data).status_code == 302
    assert client.post(section_url(family, "father"), data).status_code == 302  # a double tap
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == 1
    assert Parent.history.filter(child_id=family.pk, role="father").count() == 2  # created, then one change


# --- The error summary ------------------------------------------------------------------------------


def test_a_wrong_phone_is_summarised_at_the_top_with_a_link_to_its_field(world, family):
    client = logged_in(world.class_teacher)
    page = client.get(section_url(family, "guardian"))
    response = client.post(
        section_url(family, "guardian"),
        page_values(page, **{"guardian-name": "张奶奶", "guardian-relation": "pgm", "guardian-phone": "1391234"}),
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Guardian.objects.exists()
    assert "有 1 处需要修改：" in html
    assert 'href="#id_guardian-phone"' in html and 'id="id_guardian-phone"' in html
    summary = html.index('id="error-summary"')
    assert summary < html.index('id="archive-form"') and 'tabindex="-1"' in html[summary - 200 : summary + 200]
    assert "error-summary.js" in html


def test_the_full_form_lists_every_error_at_the_top_the_second_one_eight_screens_down(world):
    from tests.children.test_archive_pages import archive_post

    client = logged_in(world.coordinator)
    response = client.post(
        reverse("children:create"),
        archive_post(world, **{"father-phone": "1391234567", "guardian-phone": "12345"}),
    )
    html = response.content.decode()
    assert "有 2 处需要修改：" in html
    summary = html.index('id="error-summary"')
    assert summary < html.index('id="archive-form"')
    assert (
        summary
        < html.index('href="#id_father-phone"')
        < html.index('href="#id_guardian-phone"')
        < html.index('id="archive-form"')
    )
    assert "联系电话：请输入11位手机号或带区号的固定电话" in html


# --- The meter --------------------------------------------------------------------------------------


def test_the_meter_gives_the_completeness_figure_and_what_each_section_lacks(world):
    client = logged_in(world.coordinator)
    child = ChildFactory(school_class=world.school_class, hukou_address="", current_address="")
    annotated = annotate_completeness(Child.objects.filter(pk=child.pk), on=timezone.localdate()).get()
    assert completeness_of(annotated).percent == 40  # addresses, guardian and assessment missing
    html = client.get(reverse("children:archive", args=[child.pk])).content.decode()
    assert "档案完整度" in html and "40%" in html and 'aria-valuenow="40"' in html
    home = html[html.index('id="section-home"') :][:600]
    assert "尚缺：基本信息（户籍地址、现居住地址）" in home
    guardian = html[html.index('id="section-guardian"') :][:600]
    assert "尚缺：委托监护人及其联系电话" in guardian
    page = client.get(section_url(child, "home"))
    client.post(
        section_url(child, "home"),
        page_values(page, **{"child-hukou_address": "溆浦县青山村3组", "child-current_address": "溆浦县青山村3组"}),
    )
    assert "60%" in client.get(reverse("children:archive", args=[child.pk])).content.decode()


def test_the_sections_page_reads_in_a_fixed_number_of_queries(world, family, django_assert_max_num_queries):
    client = logged_in(world.coordinator)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("children:archive", args=[family.pk])).status_code == 200


# --- The guardian chosen from the family ------------------------------------------------------------


def test_the_grandmother_already_entered_is_chosen_as_guardian_and_saved_once(world, family):
    client = logged_in(world.class_teacher)
    page = client.get(section_url(family, "guardian"))
    html = page.content.decode()
    assert "从已填写的家庭成员中选择" in html and "张奶奶（祖母）" in html
    response = client.post(
        section_url(family, "guardian"),
        page_values(page, **{"guardian-from_family": "pgm", "guardian-phone": "13700001111"}),
    )
    assert response.status_code == 302
    guardian = Guardian.objects.get(child=family)
    assert (guardian.name, guardian.relation, guardian.phone) == ("张奶奶", "pgm", "13700001111")
    assert guardian.age == timezone.localdate().year - 1959
    assert Grandparent.objects.filter(child=family).count() == 1  # she is not entered a second time
    # Choosing her again (the page now shows her as the guardian) keeps one current guardian, updated.
    page = client.get(section_url(family, "guardian"))
    client.post(
        section_url(family, "guardian"),
        page_values(page, **{"guardian-from_family": "pgm", "guardian-address": "青山村3组"}),
    )
    assert Guardian.objects.filter(child=family).count() == 1
    assert Guardian.objects.get(child=family).address == "青山村3组"


def test_without_grandparents_entered_the_guardian_is_typed(world):
    child = ChildFactory(school_class=world.school_class)
    html = logged_in(world.coordinator).get(section_url(child, "guardian")).content.decode()
    assert "从已填写的家庭成员中选择" not in html and 'name="guardian-name"' in html


# --- Who may open and save the sections -------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_those_who_may_edit_the_archive_open_and_save_its_sections(world, family, persona):
    client = logged_in(getattr(world, persona))
    assert client.get(reverse("children:archive", args=[family.pk])).status_code == 200
    page = client.get(section_url(family, "study"))
    assert page.status_code == 200
    assert (
        client.post(section_url(family, "study"), page_values(page, **{"child-interests": "画画"})).status_code == 302
    )


@pytest.mark.parametrize("persona", ["mentor", "other_teacher", "other_principal", "bureau"])
def test_a_mentor_and_another_schools_staff_get_404_and_save_nothing(world, family, persona):
    PairingFactory(child=family, mentor=world.mentor, start_date=date(2025, 9, 1))
    editor_page = logged_in(world.coordinator).get(section_url(family, "study"))
    client = logged_in(getattr(world, persona))
    assert client.get(reverse("children:archive", args=[family.pk])).status_code == 404
    assert client.get(section_url(family, "study")).status_code == 404
    response = client.post(section_url(family, "study"), page_values(editor_page, **{"child-interests": "画画"}))
    assert response.status_code == 404
    family.refresh_from_db()
    assert family.interests == ""


def test_a_transferred_childs_sections_are_read_only(world, family):
    Child.objects.filter(pk=family.pk).update(status=EnrolmentStatus.TRANSFERRED)
    client = logged_in(world.coordinator)
    assert client.get(reverse("children:archive", args=[family.pk])).status_code == 403
    assert client.get(section_url(family, "father")).status_code == 403


def test_the_child_pages_edit_button_opens_the_sections(world, family):
    html = logged_in(world.class_teacher).get(reverse("children:detail", args=[family.pk])).content.decode()
    assert f'href="{reverse("children:archive", args=[family.pk])}"><i class="bi bi-pencil"></i> 编辑' in html
    PairingFactory(child=family, mentor=world.mentor, start_date=date(2025, 9, 1))
    mentor_page = logged_in(world.mentor).get(reverse("children:detail", args=[family.pk])).content.decode()
    assert reverse("children:archive", args=[family.pk]) not in mentor_page


def test_opening_a_section_with_phones_is_recorded_as_a_view_of_full_identifiers_and_one_without_is_not(world, family):
    client = logged_in(world.coordinator)
    client.get(section_url(family, "study"))
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_CHILD).exists()
    html = client.get(section_url(family, "father")).content.decode()
    assert 'value="13912345678"' in html  # the full number, to edit it
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_CHILD, user=world.coordinator).count() == 1
