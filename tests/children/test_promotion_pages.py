"""The 升年级 pages: the principal previews, types the confirmation, sees the result and may undo it that day;
everyone else is refused, and another school's run is not found."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from caretrack.models import SchoolClass
from children.models import Child, EnrolmentStatus, PromotionRun
from children.services.promotion import promote_school
from tests.conftest import PERSONAS
from tests.factories import ChildFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sixth(world):
    """六年级(1)班 with two pupils, the class that graduates."""
    cls = SchoolClassFactory(school=world.school, grade=6, number=1, head_teacher=world.mentor)
    ChildFactory(school_class=cls, name="毕业甲")
    ChildFactory(school_class=cls, name="毕业乙")
    return cls


def test_the_principal_sees_what_will_move_and_graduate_before_anything_changes(login, world, sixth):
    html = login(world.principal).get(reverse("promotion:preview")).content.decode()
    assert "六年级(1)班" in html and "2 名学生毕业" in html
    assert "三年级(2)班</td><td>四年级(2)班" in html
    assert 'data-figure="graduating-children">2<' in html
    assert "执行升年级" in html and "确认升年级" in html
    assert not PromotionRun.objects.exists()


def test_a_wrong_confirmation_is_refused_with_a_message_and_changes_nothing(login, world, sixth):
    response = login(world.principal).post(reverse("promotion:run"), {"confirmation": "好的"})
    assert response.status_code == 200
    assert "输入的内容不对：请输入“思蒙镇中心小学”或“确认升年级”" in response.content.decode()
    assert not PromotionRun.objects.exists()
    sixth.refresh_from_db()
    assert sixth.graduated_on is None


@pytest.mark.parametrize("typed", ["确认升年级", "思蒙镇中心小学"])
def test_the_typed_school_name_or_the_words_run_it_and_lead_to_the_result_with_an_undo_button(
    login, world, sixth, typed
):
    client = login(world.principal)
    response = client.post(reverse("promotion:run"), {"confirmation": typed})
    run = PromotionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("promotion:result", args=[run.pk])
    html = client.get(response["Location"]).content.decode()
    assert "升年级已完成" in html and "毕业甲" in html and "三年级(2)班 → 四年级(2)班" in html
    assert "撤销本次升年级" in html
    assert Child.objects.filter(status=EnrolmentStatus.GRADUATED).count() == 2


def test_a_double_submit_promotes_once(login, world, sixth):
    client = login(world.principal)
    client.post(reverse("promotion:run"), {"confirmation": "确认升年级"})
    again = client.post(reverse("promotion:run"), {"confirmation": "确认升年级"})
    assert again.status_code == 200 and "执行过升年级，不能重复执行" in again.content.decode()
    assert PromotionRun.objects.count() == 1
    world.school_class.refresh_from_db()
    assert world.school_class.grade == 4  # moved up once, not twice


def test_undo_from_the_result_page_puts_the_school_back(login, world, sixth):
    client = login(world.principal)
    client.post(reverse("promotion:run"), {"confirmation": "确认升年级"})
    run = PromotionRun.objects.get()
    response = client.post(reverse("promotion:undo", args=[run.pk]), follow=True)
    html = response.content.decode()
    assert "已撤销本次升年级" in html and "撤销本次升年级</button>" not in html
    world.school_class.refresh_from_db()
    sixth.refresh_from_db()
    assert (world.school_class.grade, sixth.graduated_on, sixth.head_teacher) == (3, None, world.mentor)
    assert Child.objects.filter(status=EnrolmentStatus.GRADUATED).count() == 0


def test_a_run_of_another_day_shows_no_undo_and_refuses_it(login, world, sixth):
    run = promote_school(school=world.school, on=date(2027, 7, 10), acting_user=world.principal)
    client = login(world.principal)
    assert "撤销本次升年级</button>" not in client.get(reverse("promotion:result", args=[run.pk])).content.decode()
    html = client.post(reverse("promotion:undo", args=[run.pk]), follow=True).content.decode()
    assert "只能在执行当天撤销" in html
    assert SchoolClass.objects.get(pk=sixth.pk).graduated_on == date(2027, 7, 10)


def test_graduates_leave_the_children_list_but_their_archives_stay_readable(login, world, sixth):
    promote_school(school=world.school, on=timezone.localdate(), acting_user=world.principal)
    client = login(world.coordinator)
    everyone = {"left_behind_type": ""}
    assert "毕业甲" not in client.get(reverse("children:list"), everyone).content.decode()
    listed = client.get(reverse("children:list"), {**everyone, "status": "graduated"}).content.decode()
    assert "毕业甲" in listed and "毕业乙" in listed
    graduate = Child.objects.get(name="毕业甲")
    assert client.get(reverse("children:detail", args=[graduate.pk])).status_code == 200


# --- Who may --------------------------------------------------------------------------------------

PAGES = {
    "promotion:preview": ("get", False),
    "promotion:run": ("post", False),
    "promotion:result": ("get", True),
    "promotion:undo": ("post", True),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_only_the_principal_reaches_the_promotion_pages_and_only_for_their_school(
    client, world, sixth, persona, url_name
):
    """The principal (and the other school's principal for their own school); 403 for every other role,
    404 for another school's run. Nobody gets a 500."""
    run = promote_school(school=world.school, on=date(2027, 7, 10), acting_user=world.principal)
    method, needs_run = PAGES[url_name]
    url = reverse(url_name, args=[run.pk] if needs_run else [])
    client.force_login(getattr(world, persona))
    response = getattr(client, method)(url)
    if persona == "principal" or (persona == "other_principal" and not needs_run):
        assert response.status_code in (200, 302)
    elif persona == "other_principal":
        assert response.status_code == 404
    else:
        assert response.status_code == 403


def test_the_result_page_reads_in_a_fixed_number_of_queries(login, world, django_assert_max_num_queries):
    cls = SchoolClassFactory(school=world.school, grade=6, number=1)
    for i in range(40):
        ChildFactory(school_class=cls, name=f"毕业{i}")
    run = promote_school(school=world.school, on=timezone.localdate(), acting_user=world.principal)
    client = login(world.principal)
    client.get(reverse("promotion:result", args=[run.pk]))  # warm the session and roles
    with django_assert_max_num_queries(12):
        response = client.get(reverse("promotion:result", args=[run.pk]))
    assert response.content.decode().count("毕业3") == 11  # 毕业3 and 毕业30–39, each shown once


def test_the_preview_reads_in_a_fixed_number_of_queries(login, world, django_assert_max_num_queries):
    for number in range(1, 8):
        cls = SchoolClassFactory(school=world.school, grade=5, number=number + 2)
        for i in range(5):
            ChildFactory(school_class=cls, name=f"五{number}-{i}")
    client = login(world.principal)
    client.get(reverse("promotion:preview"))
    # session, user, roles (3), the term, the classes, the counts per class, the runs (2), the session save (3)
    # +2 since the menu has counts: the bell's unread notifications, the open cases of 待处理
    with django_assert_max_num_queries(15):
        assert client.get(reverse("promotion:preview")).status_code == 200
