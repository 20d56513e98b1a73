import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.models import Child


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_in_chinese_before_it_is_read(client, world, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(world.coordinator)
    big = SimpleUploadedFile("roster.xlsx", b"x" * (2 * 1024 * 1024))
    response = client.post(reverse("children:import"), {"file": big})
    assert response.status_code == 413
    assert "上传的内容过大（一次最多 1 MB）" in response.content.decode()
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_a_normal_post_passes_the_size_limit(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("children:create"), {"child-name": ""})
    assert response.status_code == 200  # the form answers with its own validation messages
