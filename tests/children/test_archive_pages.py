import re
from datetime import date

import pytest
from django.urls import reverse

from caretrack.models import AuditAction, AuditEvent
from children.models import Child, Guardian, LeftBehindType, Parent
from tests.factories import ChildFactory, GuardianFactory, PairingFactory, ParentFactory, valid_id_number

pytestmark = pytest.mark.django_db
ALL_STUDENTS = {"left_behind_type": ""}  # the list shows left-behind children unless asked for everyone


def archive_post(world, **overrides):
    data = {
        "child-name": "张小明", "child-gender": "M", "child-birth_date": "2017-03-02", "child-ethnicity": "汉族",
        "child-id_number": valid_id_number(), "child-has_hukou": "on", "child-school_class": world.school_class.pk,
        "child-schooling_status": "primary", "child-status": "enrolled", "child-hukou_address": "溆浦县青山村3组",
        "child-current_address": "溆浦县青山村3组", "child-health_status": "healthy",
        "father-name": "张建国", "father-phone": "139-1234-5678", "father-away_status": "away",
        "father-work_province": "440000", "father-work_city": "441900", "father-has_guardianship_capacity": "on",
        "mother-name": "李秀兰", "mother-phone": "13712345678", "mother-away_status": "away",
        "mother-work_province": "330000", "mother-work_city": "330700", "mother-work_county": "330782",
        "mother-has_guardianship_capacity": "on",
        "pgm-name": "张奶奶", "pgm-birth_year": "1959", "pgm-is_alive": "on", "pgm-lives_with_child": "on",
        "pgf-is_alive": "on", "mgf-is_alive": "on", "mgm-is_alive": "on",
        "guardian-name": "张奶奶", "guardian-relation": "pgm", "guardian-phone": "0745-3221234", "guardian-age": "67",
        "assessment-guardianship_level": "fair", "assessment-income_sources": ["migrant_work", "farming"],
    }  # fmt: skip
    data.update(overrides)
    return data


def shown_versions(page) -> dict:
    """The hidden version fields of an edit page as its form would post them back."""
    html = page.content.decode()
    return {
        name: re.search(rf'name="{name}" value="(\d+)"', html).group(1) for name in ("archive-version", "archive-shown")
    }


def edit_post(world, child, **overrides):
    """What the edit page posts when opened now (the archive's current version)."""
    version = Child.objects.get(pk=child.pk).version
    return archive_post(world, **{"archive-version": version, "archive-shown": version, **overrides})


def test_coordinator_creates_a_child_with_parents_and_guardian_and_sees_type_and_completeness(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get(name="张小明")
    assert response.status_code == 302 and response["Location"] == reverse("children:detail", args=[child.pk])
    assert child.left_behind_type == LeftBehindType.BOTH_AWAY
    assert child.name_initials == "zxm"
    father = Parent.objects.get(child=child, role="father")
    assert father.phone == "13912345678" and father.work_place == "广东省东莞市"
    assert Parent.objects.get(child=child, role="mother").work_place == "浙江省金华市义乌市"
    assert Guardian.objects.get(child=child).phone == "0745-3221234"
    assert list(child.grandparents.values_list("role", "name", "lives_with_child")) == [("pgm", "张奶奶", True)]
    page = client.get(response["Location"]).content.decode()
    assert "父母均外出" in page
    assert "100%" in page and "已建档" in page  # the archive alone: the pairing is 结对率's, not 建档's
    assert valid_id_number() in page  # the coordinator may see the full ID number on the child page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_CHILD, user=world.coordinator).count() == 1
    assert "新建了学生信息" in page  # the change history is shown


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("child-id_number", valid_id_number()[:-1] + ("0" if valid_id_number()[-1] != "0" else "1"), "校验位不正确"),
        ("child-id_number", valid_id_number(birth=date(2017, 3, 5)), "与填写的出生日期（2017-03-02）不一致"),
        ("child-id_number", valid_id_number(gender="F"), "与填写的性别（男）不一致"),
        ("father-phone", "1391234567", "请输入11位手机号或带区号的固定电话"),
        ("child-birth_date", "2030-01-01", "出生日期不能晚于今天"),
        ("child-birth_date", "2001-01-01", "已超过18周岁"),
        ("father-work_city", "330700", "务工城市不属于所选省份"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(client, world, field, value, message):
    client.force_login(world.coordinator)
    response = client.post(reverse("children:create"), archive_post(world, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Child.objects.exists() and not Parent.objects.exists() and not Guardian.objects.exists()


def test_the_same_child_twice_is_refused_with_a_link_to_the_existing_record(client, world):
    client.force_login(world.coordinator)
    client.post(reverse("children:create"), archive_post(world))
    existing = Child.objects.get()
    # Same name and birth date, no ID number this time.
    response = client.post(reverse("children:create"), archive_post(world, **{"child-id_number": ""}))
    html = response.content.decode()
    assert "该学生已建档，不能重复录入" in html
    assert reverse("children:detail", args=[existing.pk]) in html
    assert Child.objects.count() == 1 and Parent.objects.count() == 2


def test_changing_the_guardian_keeps_the_old_one_with_date_and_reason(client, world):
    client.force_login(world.coordinator)
    client.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get()
    url = reverse("children:edit", args=[child.pk])
    response = client.post(url, edit_post(world, child, **{"guardian-name": "张姑姑", "guardian-relation": "relative"}))
    assert "更换委托监护人时请填写变更原因" in response.content.decode()
    response = client.post(
        url,
        edit_post(
            world,
            child,
            **{"guardian-name": "张姑姑", "guardian-relation": "relative", "guardian-change_reason": "奶奶住院"},
        ),
    )
    assert response.status_code == 302
    old, new = Guardian.objects.filter(child=child).order_by("pk")
    assert old.until is not None and old.change_reason == "奶奶住院"
    assert new.name == "张姑姑" and new.until is None


def test_class_teacher_sees_only_their_class_and_mentor_only_paired_children(client, world):
    mine = ChildFactory(school_class=world.school_class, name="本班学生")
    ChildFactory(school_class=world.other_class, name="别班学生")
    ChildFactory(school_class=world.foreign_class, name="外校学生")
    paired = ChildFactory(school_class=world.other_class, name="结对学生")
    PairingFactory(child=paired, mentor=world.mentor)
    client.force_login(world.class_teacher)
    html = client.get(reverse("children:list"), ALL_STUDENTS).content.decode()
    assert "本班学生" in html and "别班学生" not in html and "外校学生" not in html
    client.force_login(world.mentor)
    html = client.get(reverse("children:list"), ALL_STUDENTS).content.decode()
    assert "结对学生" in html and "本班学生" not in html
    assert client.get(reverse("children:detail", args=[mine.pk])).status_code == 404
    client.force_login(world.coordinator)
    html = client.get(reverse("children:list"), ALL_STUDENTS).content.decode()
    assert "本班学生" in html and "别班学生" in html and "外校学生" not in html


def test_search_by_pinyin_initials_and_filters(client, world):
    zhang = ChildFactory(school_class=world.school_class, name="张三")
    ChildFactory(school_class=world.school_class, name="李四")
    client.force_login(world.coordinator)
    html = client.get(reverse("children:list"), {**ALL_STUDENTS, "q": "zs"}).content.decode()
    assert "张三" in html and "李四" not in html
    html = client.get(
        reverse("children:list"), {**ALL_STUDENTS, "archived": "no", "school_class": world.school_class.pk}
    ).content
    assert zhang.name in html.decode()


@pytest.mark.parametrize("count", [3, 40])
def test_child_list_has_a_constant_number_of_queries(client, world, django_assert_max_num_queries, count):
    for _ in range(count):
        child = ChildFactory(school_class=world.school_class)
        ParentFactory(child=child)
        GuardianFactory(child=child)
    client.force_login(world.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("children:list"))
    assert response.status_code == 200


def test_child_page_has_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.coordinator)
    client.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get()
    with django_assert_max_num_queries(40):
        assert client.get(reverse("children:detail", args=[child.pk])).status_code == 200


def test_mentor_sees_masked_identifiers_on_the_child_page(client, world):
    child = ChildFactory(school_class=world.other_class, id_number=valid_id_number())
    ParentFactory(child=child, phone="13912345678")
    PairingFactory(child=child, mentor=world.mentor)
    client.force_login(world.mentor)
    html = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    assert valid_id_number() not in html and valid_id_number()[-4:] in html
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_CHILD).exists()


def test_contact_cards_print_a_class_with_phones(client, world):
    for name in ("王一", "王二", "王三"):
        child = ChildFactory(school_class=world.school_class, name=name)
        ParentFactory(child=child, phone="13912345678")
        GuardianFactory(child=child)
    client.force_login(world.class_teacher)
    html = client.post(reverse("children:contact_cards"), {"school_class": world.school_class.pk}).content.decode()
    assert "家校联系卡（3 张）" in html and html.count("13912345678") == 3 and "陈老师" in html


def test_parent_came_home_form_changes_the_type_from_that_date(client, world):
    client.force_login(world.coordinator)
    client.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get()
    response = client.post(
        reverse("children:parent_status", args=[child.pk]),
        {"role": "father", "away_status": "home", "on": "2026-11-10", "reason": "返乡"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.left_behind_type == LeftBehindType.NOT_LEFT_BEHIND


def test_list_shows_left_behind_children_by_default(client, world):
    from children.models import LeftBehindType

    ChildFactory(school_class=world.school_class, name="留守学生", left_behind_type=LeftBehindType.BOTH_AWAY)
    ChildFactory(school_class=world.school_class, name="非留守学生")
    client.force_login(world.coordinator)
    html = client.get(reverse("children:list")).content.decode()
    assert "留守学生" in html and "非留守学生" not in html


def test_child_page_chronology_filters_by_kind_and_offers_log_buttons(client, world):
    from mentoring.models import Talk

    child = ChildFactory(school_class=world.school_class)
    GuardianFactory(child=child, name="王奶奶")
    Talk.objects.create(child=child, author=world.class_teacher, date=date(2026, 11, 2), text="聊了学习")
    client.force_login(world.class_teacher)
    url = reverse("children:detail", args=[child.pk])
    html = client.get(url).content.decode()
    assert "聊了学习" in html and "委托监护人：王奶奶" in html
    assert reverse("mentoring:talk_create", args=[child.pk]) in html
    html = client.get(url, {"kind": "talk"}).content.decode()
    assert "聊了学习" in html and "委托监护人：王奶奶" not in html


def test_saving_again_after_a_refused_stale_form_keeps_a_colleagues_parent_and_guardian_corrections(world):
    from django.test import Client

    coordinator, teacher = Client(), Client()
    coordinator.force_login(world.coordinator)
    teacher.force_login(world.class_teacher)
    coordinator.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get()
    url = reverse("children:edit", args=[child.pk])
    opened = shown_versions(coordinator.get(url))  # the coordinator opens the page ...
    changes = {"father-phone": "13800001111", "guardian-phone": "13900002222"}
    teacher.post(url, archive_post(world, **shown_versions(teacher.get(url)), **changes))
    # ... and saves it later, having changed only the mother's employer: refused, with the teacher's changes,
    refused = coordinator.post(url, archive_post(world, **opened, **{"mother-employer": "义乌小商品市场"}))
    html = refused.content.decode()
    assert refused.status_code == 200 and "本次没有保存" in html
    assert "父亲 · 联系电话：13912345678 → 13800001111" in html and "委托监护人 · 联系电话" in html
    assert 'value="义乌小商品市场"' in html  # what the coordinator typed is still there
    # ... and saved again: only the employer is written.
    response = coordinator.post(
        url, archive_post(world, **shown_versions(refused), **{"mother-employer": "义乌小商品市场"})
    )
    assert response.status_code == 302
    father = Parent.objects.get(child=child, role="father")
    mother = Parent.objects.get(child=child, role="mother")
    assert father.phone == "13800001111" and mother.employer == "义乌小商品市场"
    assert Guardian.objects.get(child=child, until__isnull=True).phone == "13900002222"
    assert Guardian.objects.filter(child=child).count() == 1
