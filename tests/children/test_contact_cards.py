"""家校联系卡: looking is free, printing with phone numbers is a recorded POST, and a bad parameter is
refused without a trace."""

import pytest
from django.urls import reverse

from caretrack.models import AuditAction, AuditEvent
from tests.factories import ChildFactory, GuardianFactory, PairingFactory, ParentFactory

pytestmark = pytest.mark.django_db
URL = "children:contact_cards"


@pytest.fixture
def my_class(world):
    children = []
    for name in ("王一", "王二"):
        child = ChildFactory(school_class=world.school_class, name=name)
        ParentFactory(child=child, phone="13912345678")
        GuardianFactory(child=child)
        children.append(child)
    return children


def test_the_cards_page_lists_whose_cards_without_numbers_and_records_nothing(client, world, my_class):
    client.force_login(world.class_teacher)
    response = client.get(reverse(URL), {"school_class": world.school_class.pk})
    html = response.content.decode()
    assert response.status_code == 200 and "家校联系卡（2 张）" in html and "王一" in html and "王二" in html
    assert "13912345678" not in html and "139****5678" not in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert not AuditEvent.objects.exists()


def test_printing_the_cards_is_a_post_recorded_with_full_identifiers(client, world, my_class):
    client.force_login(world.class_teacher)
    html = client.post(reverse(URL), {"school_class": world.school_class.pk}).content.decode()
    assert html.count("13912345678") == 2
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.EXPORT and event.user == world.class_teacher
    assert event.detail["kind"] == "contact_cards" and event.detail["full_identifiers"] is True


def test_a_mentors_cards_are_masked_and_the_row_says_so(client, world, my_class):
    PairingFactory(child=my_class[0], mentor=world.mentor)
    client.force_login(world.mentor)
    html = client.post(reverse(URL), {"child": my_class[0].pk}).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    assert AuditEvent.objects.get().detail["full_identifiers"] is False


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "params, message", [({"child": "abc"}, "学生参数不正确"), ({"school_class": "abc"}, "班级参数不正确")]
)
def test_a_parameter_that_is_not_an_id_gets_400_with_a_chinese_message_and_no_row(
    client, world, my_class, method, params, message
):
    client.force_login(world.class_teacher)
    response = getattr(client, method)(reverse(URL), params)
    assert response.status_code == 400 and message in response.content.decode()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_id_out_of_scope_gets_404_and_no_row(client, world, my_class, method):
    foreign = ChildFactory(school_class=world.foreign_class)
    other = ChildFactory(school_class=world.other_class)
    client.force_login(world.class_teacher)
    for params in ({"child": foreign.pk}, {"child": other.pk}, {"school_class": world.foreign_class.pk}):
        assert getattr(client, method)(reverse(URL), params).status_code == 404, params
    assert not AuditEvent.objects.exists()


def test_the_list_and_the_child_page_print_cards_through_a_post_form(client, world, my_class):
    client.force_login(world.class_teacher)
    pages = [
        client.get(reverse("children:list"), {"left_behind_type": "", "school_class": world.school_class.pk}),
        client.get(reverse("children:detail", args=[my_class[0].pk])),
    ]
    for page in pages:
        html = page.content.decode()
        form = html[html.index(f'action="{reverse(URL)}"') - 30 :][:400]
        assert 'method="post"' in form and "csrfmiddlewaretoken" in form
        assert f'href="{reverse(URL)}' not in html
