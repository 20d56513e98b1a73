"""Security properties seen from outside: login throttling, session expiry, CSRF, the read-only audit
log and the audit of full-archive views."""

import os
import re
import runpy
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from tests.factories import TEST_PASSWORD, ChildFactory, PairingFactory, StaffFactory

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "登录失败次数过多，账号已暂时锁定"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


# --- Failed-login throttling (django-axes) ----------------------------------------------------------


def test_axes_is_configured_for_five_failures_per_user_and_address_and_twenty_per_address():
    assert "axes" in django_settings.INSTALLED_APPS
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.LOGIN_ADDRESS_FAILURE_LIMIT == 20
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert django_settings.AXES_COOLOFF_TIME  # locked for a while, not forever


def test_sixth_wrong_password_is_locked_out_with_the_chinese_page(settings, world, client):
    settings.AXES_ENABLED = True
    username = world.mentor.username
    for attempt in range(4):
        response = _login(client, username, f"wrong-{attempt}")
        assert response.status_code == 200, attempt  # the login form again, with its error
        assert LOCKED_TEXT not in response.content.decode()
    # The fifth failure reaches the limit: its answer is already the lockout page ...
    fifth = _login(client, username, "wrong-5")
    assert fifth.status_code == 429
    # ... and the sixth attempt is refused without being checked.
    locked = _login(client, username, "wrong-6")
    assert locked.status_code == 429
    assert LOCKED_TEXT in locked.content.decode()
    # While locked, even the right password does not get in.
    still_locked = _login(client, username, TEST_PASSWORD)
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another teacher on the same staff-room computer can still log in.
    other = _login(Client(), world.class_teacher.username, TEST_PASSWORD)
    assert other.status_code == 302


def test_a_successful_login_resets_the_failure_count(settings, world, client):
    settings.AXES_ENABLED = True
    username = world.mentor.username
    for attempt in range(4):
        _login(client, username, f"wrong-{attempt}")
    assert _login(client, username, TEST_PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        assert _login(client, username, f"again-{attempt}").status_code == 200
    assert _login(client, username, TEST_PASSWORD).status_code == 302


NGINX = "127.0.0.1"  # the reverse proxy: every request reaches Django from its address
TEACHER_ADDRESS = "203.0.113.7"
STRANGER_ADDRESS = "198.51.100.9"


@pytest.fixture
def behind_one_proxy(settings, monkeypatch):
    """The settings caretrack/settings.py derives from TRUSTED_PROXY_COUNT=1, with lockouts on."""
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    derived = runpy.run_path(str(Path(django_settings.BASE_DIR) / "caretrack" / "settings.py"))
    proxy_settings = {k: v for k, v in derived.items() if k.startswith(("AXES_IPWARE_", "IPWARE_"))}
    assert proxy_settings, "TRUSTED_PROXY_COUNT=1 must configure how the client's address is read"
    for key, value in proxy_settings.items():
        setattr(settings, key, value)
    settings.AXES_ENABLED = True


def _login_through_nginx(client, username, password, client_address, forwarded_by_client=""):
    # nginx's $proxy_add_x_forwarded_for: whatever X-Forwarded-For the client sent, then the client's address.
    forwarded = f"{forwarded_by_client}, {client_address}" if forwarded_by_client else client_address
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forwarded)  # fmt: skip


def test_behind_nginx_a_strangers_guesses_do_not_lock_the_teacher_out(behind_one_proxy, world):
    stranger = Client()
    username = world.mentor.username
    for attempt in range(6):
        # Half of the guesses pretend, in their own X-Forwarded-For, to come from the teacher's address.
        spoof = TEACHER_ADDRESS if attempt % 2 else ""
        _login_through_nginx(stranger, username, f"wrong-{attempt}", STRANGER_ADDRESS, forwarded_by_client=spoof)
    assert _login_through_nginx(stranger, username, TEST_PASSWORD, STRANGER_ADDRESS).status_code == 429
    # The teacher, from her own address, still gets in with her password.
    teacher = Client()
    assert _login_through_nginx(teacher, username, TEST_PASSWORD, TEACHER_ADDRESS).status_code == 302
    assert "_auth_user_id" in teacher.session


def test_behind_nginx_four_guesses_on_each_of_eight_accounts_lock_the_address(behind_one_proxy, world):
    accounts = [StaffFactory(school=world.school).user for _ in range(8)]
    guesser = Client()
    answers = []
    for user in accounts:
        for attempt in range(4):
            answers.append(_login_through_nginx(guesser, user.username, f"wrong-{attempt}", STRANGER_ADDRESS))
    # Fewer than five failures on each account, but the 20th failure from the address locks it.
    assert [r.status_code for r in answers[:19]] == [200] * 19
    assert {r.status_code for r in answers[19:]} == {429}
    assert LOCKED_TEXT in answers[-1].content.decode()
    # Even a right password is refused from that address for now ...
    assert _login_through_nginx(Client(), world.principal.username, TEST_PASSWORD, STRANGER_ADDRESS).status_code == 429
    # ... while the same account logs in from another address.
    assert _login_through_nginx(Client(), world.principal.username, TEST_PASSWORD, TEACHER_ADDRESS).status_code == 302


def test_a_successful_login_does_not_clear_the_addresss_other_failures(settings, world):
    settings.AXES_ENABLED = True
    accounts = [StaffFactory(school=world.school).user for _ in range(5)]
    client = Client()
    for round_number, user in enumerate(accounts):
        for attempt in range(4):
            _login(client, user.username, f"wrong-{attempt}")
        if round_number < len(accounts) - 1:
            # Someone with an account of their own logs in between rounds of guessing ...
            assert _login(Client(), world.mentor.username, TEST_PASSWORD).status_code == 302
    # ... and the address is locked all the same after 20 failures.
    assert _login(Client(), world.mentor.username, TEST_PASSWORD).status_code == 429


def test_weak_passwords_are_refused_in_chinese():
    for weak in ("12345678", "password"):
        with pytest.raises(ValidationError) as info:
            validate_password(weak)
        assert any("密码" in message for message in info.value.messages)
    validate_password("Xiao-Zhang-2026!care")


def test_too_short_password_message_is_chinese():
    with pytest.raises(ValidationError) as info:
        validate_password("abc12")
    assert "密码" in info.value.messages[0]


# --- Sessions ------------------------------------------------------------------------------------------


def _idle(client, key, seconds_left: int, renewed_ago: int) -> None:
    """As if the session had been idle: `seconds_left` before it expires, last renewed `renewed_ago` seconds
    ago (the session's own note of it, kept by caretrack.middleware.SlidingSessionMiddleware)."""
    session = client.session
    session["_renewed_at"] = int(time.time()) - renewed_ago
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(seconds=seconds_left))


def test_session_expires_after_inactivity_and_activity_extends_it(world, client):
    age = django_settings.SESSION_COOKIE_AGE
    assert 15 * 60 <= age <= 8 * 60 * 60
    assert age // 10 >= django_settings.SESSION_RENEW_SECONDS  # the idle limit holds to within a tenth
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
    assert _login(client, world.principal.username, TEST_PASSWORD).status_code == 302
    key = client.session.session_key
    page = reverse("children:list")
    assert client.get(page).status_code == 200

    # Almost idle for the whole session age: one more request slides the expiry forward again.
    _idle(client, key, seconds_left=60, renewed_ago=age - 60)
    response = client.get(page)
    assert response.status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=age - 60)
    assert response.cookies["sessionid"]["max-age"] == age  # the browser's cookie slides too

    # Idle longer than the session age: back to the login page.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(page)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_page_read_soon_after_the_last_renewal_writes_no_session(world, client):
    assert _login(client, world.principal.username, TEST_PASSWORD).status_code == 302
    key = client.session.session_key
    page = reverse("children:list")
    _idle(client, key, seconds_left=3600, renewed_ago=django_settings.SESSION_RENEW_SECONDS - 30)
    before = Session.objects.get(session_key=key).expire_date

    response = client.get(page)

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert Session.objects.get(session_key=key).expire_date == before


# --- CSRF ------------------------------------------------------------------------------------------------


def _csrf_token(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["csrf_token"] if "csrf_token" in response.context else client.cookies["csrftoken"].value


def test_login_form_refuses_a_post_without_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = _login(client, world.principal.username, TEST_PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_archive_edit_and_talk_logging_refuse_a_post_without_csrf_token(world):
    child = ChildFactory(school_class=world.school_class)
    PairingFactory(child=child, mentor=world.mentor)
    teacher = Client(enforce_csrf_checks=True)
    teacher.force_login(world.class_teacher)
    edit_url = reverse("children:edit", args=[child.pk])
    assert teacher.post(edit_url, {"name": "改名"}).status_code == 403
    child.refresh_from_db()
    assert child.name != "改名"

    mentor = Client(enforce_csrf_checks=True)
    mentor.force_login(world.mentor)
    talk_url = reverse("mentoring:talk_create", args=[child.pk])
    data = {"date": timezone.localdate().isoformat(), "place": "office", "mood": "3", "text": "CSRF 测试"}
    assert mentor.post(talk_url, data).status_code == 403
    assert not child.talks.exists()
    # With the token from the form, the same post is accepted.
    token = _csrf_token(mentor, talk_url)
    assert mentor.post(talk_url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert child.talks.get().text == "CSRF 测试"


def test_every_post_form_in_the_login_page_carries_a_token():
    client = Client(enforce_csrf_checks=True)
    html = client.get(reverse("login")).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= html.count('method="post"') >= 1


# --- The audit log ----------------------------------------------------------------------------------------


def test_audit_page_is_for_the_principal_only(world, client):
    url = reverse("caretrack:audit")
    for user in (world.coordinator, world.class_teacher, world.mentor, world.bureau, world.other_teacher):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.force_login(world.principal)
    assert client.get(url).status_code == 200


def test_audit_page_is_read_only(world, client):
    event = AuditEvent.objects.create(user=world.coordinator, school=world.school, action=AuditAction.EXPORT,
                                      target="台账导出")  # fmt: skip
    client.force_login(world.principal)
    url = reverse("caretrack:audit")
    html = client.get(url).content.decode()
    assert "台账导出" in html
    assert 'method="post"' not in html.split("<main", 1)[-1].split("</main>", 1)[0].lower()
    # A forged POST changes nothing.
    client.post(url, {"action": "delete", "target": "篡改", "id": event.pk})
    event.refresh_from_db()
    assert (event.action, event.target) == (AuditAction.EXPORT, "台账导出")
    assert AuditEvent.objects.count() == 1


def test_audit_cannot_be_added_changed_or_deleted_in_the_admin(world, client):
    from django.contrib.auth.models import User

    event = AuditEvent.objects.create(user=world.principal, school=world.school, action=AuditAction.EXPORT,
                                      target="原始记录")  # fmt: skip
    model_admin = admin_site._registry[AuditEvent]
    superuser = User.objects.create_superuser("root", password=TEST_PASSWORD)
    client.force_login(superuser)
    request = client.get(reverse("admin:index")).wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert client.get(reverse("admin:caretrack_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:caretrack_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code in (
        302,
        403,
    )
    change_url = reverse("admin:caretrack_auditevent_change", args=[event.pk])
    client.post(change_url, {"target": "篡改", "action": "view_child", "at_0": "2020-01-01", "at_1": "00:00"})
    event.refresh_from_db()
    assert event.target == "原始记录"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_viewing_a_full_archive_is_written_to_the_audit_log(world, client):
    child = ChildFactory(school_class=world.school_class, name="王小明")
    client.force_login(world.principal)
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW_CHILD)
    assert event.user == world.principal
    assert event.school == world.school
    assert "王小明" in event.target
    # The principal then finds it on the audit page, filtered by action.
    page = client.get(reverse("caretrack:audit"), {"action": AuditAction.VIEW_CHILD}).content.decode()
    assert "王小明" in page


def test_a_teacher_of_another_school_cannot_make_the_archive_view_happen(world):
    child = ChildFactory(school_class=world.school_class)
    outsider = StaffFactory(school=world.other_school).user
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_CHILD).exists()


# --- Headers and cookies in production ---------------------------------------------------------------------


def test_production_responses_carry_the_security_headers(settings, world, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    # Plain HTTP is redirected to HTTPS before anything else happens.
    insecure = client.get(reverse("login"))
    assert insecure.status_code == 301 and insecure.url.startswith("https://")
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies["csrftoken"]["secure"]
    logged_in = client.post(
        reverse("login"), {"username": world.principal.username, "password": TEST_PASSWORD}, secure=True
    )
    session_cookie = logged_in.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]


def test_every_page_carries_a_content_security_policy_without_inline_script(world, client):
    client.force_login(world.principal)
    for url in (reverse("login"), reverse("children:list"), "/children/no-such-page/"):
        response = client.get(url)
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'", url
        assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'", url
        assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'self'", url
        assert policy["form-action"] == "'self'", url


def test_no_template_has_inline_script_or_event_handlers():
    # The policy would block them in the browser: page actions go in static/js/, wired by data- attributes.
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)|\son[a-z]+=|javascript:", re.I)
    offenders = [
        f"{path.relative_to(django_settings.BASE_DIR)}:{number}"
        for path in sorted(Path(django_settings.BASE_DIR).glob("**/templates/**/*.html"))
        if ".venv" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert offenders == []


def test_the_principal_filters_the_audit_log_by_action_person_and_date(world, client):
    from datetime import datetime

    from django.utils.timezone import make_aware

    def event(user, action, target, day):
        AuditEvent.objects.create(user=user, school=world.school, action=action, target=target,
                                  at=make_aware(datetime(2026, 11, day, 10, 0)))  # fmt: skip

    event(world.coordinator, AuditAction.EXPORT, "台账导出", 2)
    event(world.class_teacher, AuditAction.VIEW_CHILD, "王小明（1）", 10)
    event(world.coordinator, AuditAction.VIEW_CHILD, "李小红（2）", 20)
    AuditEvent.objects.create(user=world.other_principal, school=world.other_school, action=AuditAction.EXPORT,
                              target="外校导出")  # fmt: skip
    client.force_login(world.principal)
    url = reverse("caretrack:audit")

    def shown(**params):
        html = client.get(url, params).content.decode()
        return {t for t in ("台账导出", "王小明", "李小红", "外校导出") if t in html}

    assert shown() == {"台账导出", "王小明", "李小红"}  # never another school's
    assert shown(action=AuditAction.VIEW_CHILD) == {"王小明", "李小红"}
    assert shown(user__last_name="周主任") == {"台账导出", "李小红"}
    assert shown(date_from="2026-11-05", date_to="2026-11-15") == {"王小明"}


# --- The secret key in production ----------------------------------------------------------------------------


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_DEBUG")}
    return subprocess.run([sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env={**base, **env},
                          capture_output=True, text=True, timeout=120)  # fmt: skip


START_THE_SITE = "import caretrack.wsgi"  # what gunicorn's worker and runserver do first


def test_production_refuses_to_start_without_a_secret_key_and_says_so_in_one_line():
    for env in ({}, {"SECRET_KEY": django_settings.DEVELOPMENT_SECRET_KEY}):
        started = _run_python(START_THE_SITE, DJANGO_DEBUG="0", **env)
        assert started.returncode != 0, env
        last_line = started.stderr.strip().splitlines()[-1]
        assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: 未设置 SECRET_KEY"), last_line
        assert "SECRET_KEY environment variable" in last_line


def test_production_starts_with_a_key_of_its_own_and_development_on_the_development_key():
    own_key = "x7$k2!pq9Lm#Zr4@tWv8&yB1nC5^eH3*jD6%uF0(gS)aQ_iR-oT+lE=wN~bM"
    assert _run_python(START_THE_SITE, DJANGO_DEBUG="0", SECRET_KEY=own_key).returncode == 0
    assert _run_python(START_THE_SITE, DJANGO_DEBUG="1").returncode == 0


def test_check_deploy_flags_production_without_a_secret_key(tmp_path):
    checked = _run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="caretrack.settings", DJANGO_DEBUG="0", ALLOWED_HOSTS="caretrack.example.org",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )  # fmt: skip
    assert checked.returncode != 0
    assert "security.W009" in checked.stdout + checked.stderr
