"""Small hostile uploads are refused in Chinese before any row is parsed, quickly, and the site keeps
answering others meanwhile. (An 89 KB sheet once took 109 s and 1 GB; a 548 KB sheet of 16,384 columns
ran until the worker was killed.) The time bounds are generous, as the machine is shared: they check the
behaviour (refused up front), they are not benchmarks."""

from __future__ import annotations

import re
import threading
import time
import urllib.request
import uuid
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.importing import ImportFileError, read_import, reading
from children.models import Child
from tests.e2e.conftest import _plain_http_server, live_server  # noqa: F401  (plain HTTP live server)
from tests.excel import hostile

HOSTILE = {
    "16384 columns declared": (lambda: hostile.wide(declared=True), "工作表的范围有 16384 列（最多 60 列）"),
    "16384 cells a row, no dimension": (lambda: hostile.wide(declared=False), "工作表中有一行超过 60 列"),
    "a row numbered 1000000": (hostile.tall, "工作表“留守儿童”超过 11000 行（含空行）"),
    "1000000 shared strings declared": (hostile.many_shared_strings, "文字条目过多（1000000 条，最多 200000 条）"),
    "1000000 shared strings, no count": (
        lambda: hostile.many_shared_strings(declared=False),
        "文字条目过多（超过 200000 条）",
    ),
    "zip bomb": (hostile.zip_bomb, "解压后超过 50 MB"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_upload_is_refused_in_chinese_within_seconds(client, world, settings, kind):
    build, message = HOSTILE[kind]
    content = build()
    assert len(content) < 100 * 1024  # small files, each of which used to tie a worker for minutes
    client.force_login(world.coordinator)
    started = time.perf_counter()
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile("名单.xlsx", content)})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert message in response.content.decode()
    assert elapsed < 5, f"refused after {elapsed:.1f} s"
    assert not Child.objects.exists()
    assert not list((settings.MEDIA_ROOT / "imports").glob("*.xlsx"))  # the upload is not kept


@pytest.mark.django_db
def test_an_ordinary_sheet_written_the_same_way_still_imports(world):
    content = hostile.workbook(hostile.sheet(hostile.header_row() + hostile.child_row(2), "A1:D2"))
    preview = read_import(school=world.school, source=BytesIO(content), filename="x.xlsx")
    assert [r.name for r in preview.rows] == ["张小明"] and not preview.errors


@pytest.mark.django_db
def test_columns_past_the_cap_are_never_read(world, monkeypatch):
    """A sheet with no <dimension> and a stray cell past the cap: the cell is ignored, not a refusal."""
    monkeypatch.setattr(reading, "MAX_SHEET_COLUMNS", 5)
    stray = hostile.child_row(2)[:-6] + '<c r="AZ2" t="inlineStr"><is><t>x</t></is></c></row>'
    content = hostile.workbook(hostile.sheet(hostile.header_row() + stray))
    preview = read_import(school=world.school, source=BytesIO(content), filename="x.xlsx")
    assert [r.name for r in preview.rows] == ["张小明"]


@pytest.mark.django_db
def test_reading_stops_one_row_past_the_cap(world, monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 50)
    content = hostile.workbook(hostile.sheet(hostile.header_row() + hostile.child_row(2) + hostile.child_row(400)))
    with pytest.raises(ImportFileError, match="超过 50 行"):
        read_import(school=world.school, source=BytesIO(content), filename="x.xlsx")


def _multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.django_db(transaction=True)
def test_other_users_pages_still_answer_while_hostile_files_are_refused(live_server, world, client):  # noqa: F811
    """CONCURRENCY (live server, threads): a coordinator's thread posts hostile files through the real
    HTTP server while the main thread asks /healthz and the login page; every answer comes quickly. (One
    upload thread: the test server's in-memory SQLite is one connection shared by its threads, so two
    writing requests at once would collide there, which says nothing about the importer.)"""
    client.force_login(world.coordinator)
    session = client.cookies["sessionid"].value
    page = urllib.request.urlopen(
        urllib.request.Request(f"{live_server.url}/children/import/", headers={"Cookie": f"sessionid={session}"}),
        timeout=30,
    )
    html = page.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    results: dict[str, tuple[float, str]] = {}

    def post(name: str, content: bytes) -> None:
        body, content_type = _multipart({"csrfmiddlewaretoken": token}, "名单.xlsx", content)
        request = urllib.request.Request(
            f"{live_server.url}/children/import/",
            data=body,
            headers={"Content-Type": content_type, "Cookie": f"sessionid={session}; csrftoken={csrf_cookie}"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            results[name] = (time.perf_counter() - started, response.read().decode())

    files = {"wide": hostile.wide(declared=False), "strings": hostile.many_shared_strings(declared=False)}

    def post_all() -> None:
        for name, content in files.items():
            post(name, content)

    uploads = [threading.Thread(target=post_all)]
    for thread in uploads:
        thread.start()
    answers = []
    while any(t.is_alive() for t in uploads) or len(answers) < 3:
        for path in ("/healthz", "/accounts/login/"):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{live_server.url}{path}", timeout=30) as response:
                assert response.status == 200
            answers.append(time.perf_counter() - started)
    for thread in uploads:
        thread.join(timeout=60)
    assert "工作表中有一行超过 60 列" in results["wide"][1]
    assert "文字条目过多" in results["strings"][1]
    assert max(seconds for seconds, _ in results.values()) < 5, results
    assert max(answers) < 2, answers
