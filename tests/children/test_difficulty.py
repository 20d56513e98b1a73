"""事实无人抚养 computed from the parents (民发〔2019〕62号) and 困境 categories recorded with their evidence: the
archive form asks for the evidence, the child page and the list show them, and such children can be paired."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from children.models import AwayStatus, Child, ChildHardship, ParentRole, UnsupportedPeriod
from children.services import ArchiveData, reclassify_child, save_archive
from children.services.care import classify_unsupported
from mentoring.forms import PairingForm
from mentoring.selectors import unpaired_children
from tests.children.test_archive_pages import archive_post, edit_post
from tests.factories import ChildFactory, ParentFactory

pytestmark = pytest.mark.django_db

# Father in prison and mother dead, each with the document that confirms it.
UNSUPPORTED_PARENTS = {
    "father-away_status": "imprisoned", "father-work_province": "", "father-work_city": "",
    "father-status_evidence": "刑事判决书", "father-status_confirmed_by": "县人民法院",
    "father-status_evidenced_on": "2026-03-15",
    "mother-away_status": "deceased", "mother-work_province": "", "mother-work_city": "", "mother-work_county": "",
    "mother-status_evidence": "死亡证明", "mother-status_evidenced_on": "2025-06-01",
}  # fmt: skip


def _parents(father: str, mother: str):
    child = ChildFactory.build()
    return [
        ParentFactory.build(child=child, role=ParentRole.FATHER, away_status=father),
        ParentFactory.build(child=child, role=ParentRole.MOTHER, away_status=mother),
    ]


@pytest.mark.parametrize(
    ("father", "mother", "expected"),
    [
        (AwayStatus.IMPRISONED, AwayStatus.DECEASED, True),  # one dead, the other in prison
        (AwayStatus.MISSING, AwayStatus.MISSING, True),  # both missing
        (AwayStatus.SEVERELY_DISABLED, AwayStatus.DETAINED, True),
        (AwayStatus.DECEASED, AwayStatus.GUARDIANSHIP_REVOKED, True),
        (AwayStatus.DECEASED, AwayStatus.DECEASED, False),  # 孤儿: recorded as a 困境 category
        (AwayStatus.DECEASED, AwayStatus.AT_HOME, False),  # the other parent brings the child up
        (AwayStatus.IMPRISONED, AwayStatus.WORKING_AWAY, False),  # 留守 (one away, other unable), not unsupported
    ],
)
def test_unsupported_follows_the_2019_definition(father, mother, expected):
    parents = _parents(father, mother)
    assert classify_unsupported(parents=parents, birth_date=date(2017, 3, 2), on=date(2026, 10, 1)) is expected


def test_an_eighteen_year_old_is_no_longer_counted_as_unsupported():
    parents = _parents(AwayStatus.IMPRISONED, AwayStatus.DECEASED)
    assert not classify_unsupported(parents=parents, birth_date=date(2008, 10, 1), on=date(2026, 10, 1))
    assert classify_unsupported(parents=parents, birth_date=date(2008, 10, 2), on=date(2026, 10, 1))


def test_a_child_whose_father_is_in_prison_and_mother_dead_is_archived_as_unsupported_and_shown(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("children:create"), archive_post(world, **UNSUPPORTED_PARENTS))
    child = Child.objects.get(name="张小明")
    assert response.status_code == 302
    assert child.left_behind_type == "none"  # not 留守 …
    period = UnsupportedPeriod.objects.get(child=child)  # … but 事实无人抚养, from today
    assert (period.start_date, period.end_date) == (timezone.localdate(), None)
    father = child.parents.get(role=ParentRole.FATHER)
    assert (father.status_evidence, father.status_confirmed_by) == ("刑事判决书", "县人民法院")
    page = client.get(response["Location"]).content.decode()
    assert 'data-care="unsupported"' in page and "事实无人抚养" in page
    assert "刑事判决书" in page and "2026-03-15" in page
    assert "已建档" in page  # evidence given: nothing missing


def test_a_parent_recorded_dead_without_evidence_is_refused_with_a_chinese_message(client, world):
    client.force_login(world.coordinator)
    data = archive_post(world, **UNSUPPORTED_PARENTS)
    data["mother-status_evidence"] = ""
    data["father-status_evidenced_on"] = ""
    response = client.post(reverse("children:create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "“已故”须填写证明材料，如：死亡证明。" in page
    assert "“服刑”须填写认定日期。" in page
    assert not Child.objects.exists()


def test_a_hardship_needs_its_evidence_and_date(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("children:create"), archive_post(world, **{"hardship-low_income": "on"}))
    page = response.content.decode()
    assert "“低保家庭”须填写证明材料。" in page and "“低保家庭”须填写认定日期。" in page
    assert not Child.objects.exists()
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("children:create"),
        archive_post(
            world,
            **{"hardship-low_income": "on", "hardship-low_income_evidence": "低保证", "hardship-low_income_on": future},
        ),
    )
    assert "认定日期不能晚于今天。" in response.content.decode()


def test_a_hardship_recorded_with_evidence_shows_on_the_page_and_ending_it_keeps_the_record(client, world):
    client.force_login(world.coordinator)
    hardship = {
        "hardship-disability": "on",
        "hardship-disability_evidence": "残疾证",
        "hardship-disability_on": "2026-09-10",
    }
    response = client.post(reverse("children:create"), archive_post(world, **hardship))
    child = Child.objects.get()
    record = child.hardships.get()
    assert (record.kind, record.evidence, record.evidenced_on) == ("disability", "残疾证", date(2026, 9, 10))
    page = client.get(response["Location"]).content.decode()
    assert "困境·残疾" in page and "残疾证" in page

    # Unticked the next day (moved back by a day here): the record ends, it is not deleted.
    ChildHardship.records.filter(pk=record.pk).update(start_date=timezone.localdate() - timedelta(days=30))
    response = client.post(reverse("children:edit", args=[child.pk]), edit_post(world, child))
    assert response.status_code == 302
    assert not child.hardships.exists()
    ended = ChildHardship.records.get(pk=record.pk)
    assert ended.end_date == timezone.localdate() - timedelta(days=1) and ended.end_reason == "档案更新"


def test_editing_an_archive_keeps_an_imported_unsupported_decision(world):
    child = save_archive(
        school=world.school,
        data=ArchiveData(child=_child_values(world), hardships=["unsupported"]),
        acting_user=world.coordinator,
    )
    from children.forms import HardshipsForm

    form = HardshipsForm({"h-low_income": "on", "h-low_income_evidence": "低保证", "h-low_income_on": "2026-09-01"},
                         child=child, prefix="h")  # fmt: skip
    assert form.is_valid()
    assert sorted(form.kinds()) == ["low_income", "unsupported"]


def _child_values(world, name="王小红"):
    return {
        "name": name, "gender": "F", "birth_date": date(2016, 5, 1), "school_class": world.school_class,
        "hukou_address": "溆浦县青山村3组", "current_address": "溆浦县青山村3组",
    }  # fmt: skip


def _unsupported_child(world, name="王小红", *, on=date(2026, 9, 1)):
    child = ChildFactory(school_class=world.school_class, name=name)
    ParentFactory(child=child, role=ParentRole.FATHER, away_status=AwayStatus.IMPRISONED, work_province_id=None,
                  work_city_id=None, status_evidence="判决书", status_evidenced_on=date(2026, 3, 1))  # fmt: skip
    ParentFactory(child=child, role=ParentRole.MOTHER, away_status=AwayStatus.DECEASED, work_province_id=None,
                  work_city_id=None, status_evidence="死亡证明", status_evidenced_on=date(2025, 6, 1))  # fmt: skip
    reclassify_child(child=child, on=on)
    return child


def test_an_unsupported_child_is_pairable(world):
    child = _unsupported_child(world)
    ChildFactory(school_class=world.school_class, name="非关爱对象")
    today = timezone.localdate()
    assert list(unpaired_children(school=world.school, on=today)) == [child]
    assert list(PairingForm(school=world.school).fields["child"].queryset) == [child]


def test_a_child_with_a_recorded_hardship_is_pairable(world):
    child = ChildFactory(school_class=world.school_class, name="困境学生")
    ChildHardship.objects.create(child=child, kind="low_income", evidence="低保证", start_date=date(2026, 9, 1))
    assert list(unpaired_children(school=world.school, on=timezone.localdate())) == [child]


def test_a_parent_status_change_to_prison_needs_evidence_and_then_makes_the_child_unsupported(client, world):
    child = ChildFactory(school_class=world.school_class)
    ParentFactory(child=child, role=ParentRole.FATHER, away_status=AwayStatus.DECEASED, work_province_id=None,
                  status_evidence="死亡证明", status_evidenced_on=date(2025, 1, 1))  # fmt: skip
    ParentFactory(child=child, role=ParentRole.MOTHER, away_status=AwayStatus.AT_HOME, work_province_id=None)
    client.force_login(world.coordinator)
    url = reverse("children:parent_status", args=[child.pk])
    change = {"role": "mother", "away_status": "imprisoned", "on": "2026-10-08", "reason": "母亲入狱"}
    response = client.post(url, change, follow=True)
    assert "“服刑”须填写证明材料" in response.content.decode()
    assert not UnsupportedPeriod.objects.exists()
    response = client.post(
        url, {**change, "status_evidence": "刑事判决书", "status_evidenced_on": "2026-10-08"}, follow=True
    )
    assert "属事实无人抚养" in response.content.decode()
    period = UnsupportedPeriod.objects.get(child=child)
    assert (period.start_date, period.reason) == (date(2026, 10, 8), "母亲入狱")
    assert child.parents.get(role=ParentRole.MOTHER).status_evidence == "刑事判决书"


def test_the_list_shows_children_in_our_care_by_default_and_filters_them(client, world):
    unsupported = _unsupported_child(world, "无人抚养生")
    hardship = ChildFactory(school_class=world.school_class, name="困境学生")
    ChildHardship.objects.create(child=hardship, kind="low_income", evidence="低保证", start_date=date(2026, 9, 1))
    ChildFactory(school_class=world.school_class, name="普通学生")
    client.force_login(world.coordinator)
    listed = client.get(reverse("children:list")).content.decode()
    assert unsupported.name in listed and hardship.name in listed and "普通学生" not in listed
    assert "困境·低保家庭" in listed and 'data-care="unsupported"' in listed
    only = client.get(reverse("children:list"), {"left_behind_type": "unsupported"}).content.decode()
    assert unsupported.name in only and hardship.name not in only
    only = client.get(reverse("children:list"), {"left_behind_type": "", "hardship": "any"}).content.decode()
    assert hardship.name in only and unsupported.name not in only


def test_the_list_query_count_does_not_grow_with_children_in_care(client, world, django_assert_max_num_queries):
    client.force_login(world.coordinator)
    _unsupported_child(world, "甲")
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("children:list"))
    for i in range(12):
        child = _unsupported_child(world, f"乙{i}")
        ChildHardship.objects.create(child=child, kind="disability", evidence="残疾证", start_date=date(2026, 9, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("children:list")).content.decode()
    assert page.count('data-care="unsupported"') == 13 and page.count("困境·残疾") == 12


def test_an_edit_that_leaves_the_hardships_alone_keeps_one_a_colleague_recorded_meanwhile(client, world):
    client.force_login(world.coordinator)
    client.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get()
    client.get(reverse("children:edit", args=[child.pk]))  # the page remembers what it showed: no hardship
    ChildHardship.objects.create(child=child, kind="disability", evidence="残疾证", start_date=timezone.localdate())
    response = client.post(
        reverse("children:edit", args=[child.pk]), edit_post(world, child, **{"child-interests": "画画"})
    )
    assert response.status_code == 302
    assert list(child.hardships.values_list("kind", "evidence")) == [("disability", "残疾证")]
    assert Child.objects.get(pk=child.pk).interests == "画画"


def test_the_class_teacher_sees_an_unpaired_unsupported_child_of_her_class_on_her_home(world, login):
    """我的学生 shows a class teacher the children in our care of her class, not only the 留守 ones."""
    child = _unsupported_child(world)
    ChildFactory(school_class=world.school_class, name="非关爱对象")
    assert world.school_class.head_teacher == world.class_teacher
    page = login(world.class_teacher).get(reverse("mentoring:my_students")).content.decode()
    assert f'data-child="{child.pk}"' in page and "非关爱对象" not in page
