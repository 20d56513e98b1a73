import time

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse

from caretrack.errors import back_url
from caretrack.permissions import get_roles

MISSING_SECRET_KEY = (
    "未设置 SECRET_KEY：DEBUG 关闭（生产环境）时，请在环境变量 SECRET_KEY 中设置一个随机密钥，"
    "不能使用代码中公开的开发密钥。"
    " / SECRET_KEY is not set: with DEBUG off, set the SECRET_KEY environment variable to a random key of your own;"
    " the development key in the repository is public."
)


class RequireSecretKey:
    """Refuse to start the site with DEBUG off and no SECRET_KEY of its own: sessions, CSRF tokens and
    password-reset links signed with the key published in the repository could be forged by anyone. Runs
    when the WSGI handler is built (gunicorn's worker, runserver), so management commands that sign nothing
    (migrate, makemigrations) still run without a key; then it removes itself from the chain."""

    def __init__(self, get_response):
        try:
            key = settings.SECRET_KEY
        except ImproperlyConfigured:  # Django refuses to read an empty key
            key = ""
        if not settings.DEBUG and key in ("", settings.DEVELOPMENT_SECRET_KEY):
            raise ImproperlyConfigured(MISSING_SECRET_KEY)
        raise MiddlewareNotUsed


class RequestSizeLimitMiddleware:
    """Refuse an oversized request body before Django reads it: Django writes uploaded files to disk
    before any form can check their size, so the limit has to come first. Forms keep their own, smaller
    limits (an Excel roster 5 MB, a photo 10 MB) with their own messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            limit_mb = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            context = {"limit_mb": limit_mb, "back_url": back_url(request)}
            return render(request, "caretrack/too_large.html", context, status=413)
        return self.get_response(request)


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits: AXES_FAILURE_LIMIT failures of one username from one
    address, or LOGIN_ADDRESS_FAILURE_LIMIT failures from one address whatever the usernames, lock the login
    (AXES_LOCKOUT_PARAMETERS lists the pair first, the address second)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_pair, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # django-axes compares one count with one limit (AXES_FAILURE_LIMIT): put the address's count on
        # that scale, so that it reaches the limit exactly when the address reaches its own, higher one.
        return max(by_pair, by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful login clears that teacher's failures only: clearing the whole address would let anyone
        # with one valid account go on guessing other teachers' passwords.
        by_pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = by_pair.delete()
        return count


class FirstPasswordMiddleware:
    """A user whose password was given to them (a new account, a reset: StaffProfile.must_change_password)
    can open nothing but the password change page until they have chosen their own; logging out and the
    static files stay open. The flag is cleared by the password change view (caretrack.staff_views)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._allowed(request.path_info):
            profile = get_roles(user).profile
            if profile is not None and profile.must_change_password:
                if not request.session.get("first_password_notice"):  # once, not at every redirect
                    request.session["first_password_notice"] = True
                    messages.info(request, "这是您的初始密码，请先设置一个只有您自己知道的新密码。")
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        open_paths = {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class SlidingSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request. Sliding the expiry is a write of the session
    row, so a request renews it only when the last renewal is more than SESSION_RENEW_SECONDS old: a page
    that is only read costs no write, and the idle limit holds to within those seconds. Inside Django's
    SessionMiddleware, which saves the session (and sends its cookie again) when this marks it changed."""

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now
        return response
