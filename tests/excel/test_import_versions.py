"""An import is a write like the archive form: an edit page opened before it cannot save over it."""

from datetime import date

import pytest
from django.urls import reverse

from children.models import Child
from tests.children.test_archive_pages import archive_post, shown_versions
from tests.excel.test_import_flow import three_children, upload
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [
        {"f_place": "江苏苏州"},  # a parent's change: saved through save_archive
        {"class_text": "四(1)班"},  # the child's own field only: saved in bulk
    ],
)
def test_an_edit_page_opened_before_an_import_is_refused(client, world, change):
    client.force_login(world.coordinator)
    first = upload(client, three_children())
    client.post(reverse("children:import_confirm"), {"token": first.context["token"]})
    child = Child.objects.get(name="王小刚")
    url = reverse("children:edit", args=[child.pk])
    opened = shown_versions(client.get(url))
    second = upload(client, three_children(**change))
    client.post(reverse("children:import_confirm"), {"token": second.context["token"]})
    assert Child.objects.get(pk=child.pk).version == int(opened["archive-version"]) + 1

    stale = archive_post(
        world,
        **opened,
        **{
            "child-name": "王小刚",
            "child-birth_date": "2015-09-01",
            "child-id_number": valid_id_number(date(2015, 9, 1), "M", 11),
            "child-interests": "书法",
        },
    )
    response = client.post(url, stale)
    assert response.status_code == 200 and "本次没有保存" in response.content.decode()
    assert Child.objects.get(pk=child.pk).interests == ""
