"""The error pages (handler400/403/404/500 in caretrack/urls.py, and the CSRF failure view): in the site's
layout and in Chinese, with the reason the code gave and a way back.

Reasons are shown only when they are the project's own Chinese messages (`PermissionDenied("只有校长…")`,
`Http404("没有找到该学生，或您无权查看。")`); Django's English internals (the URL patterns tried, "No Child
matches the given query.") never reach the user.
"""

import logging
import re

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

CHINESE = re.compile(r"[\u4e00-\u9fff]")

PLAIN_500 = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>服务器出错</title>'
    "<h1>服务器出错</h1><p>系统暂时出现问题，您的操作可能没有保存。请稍后再试，或联系学校管理员。</p>"
    '<p><a href="/">返回首页</a></p></html>'
)


def _reason(exception) -> str:
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and CHINESE.search(message) else ""


def back_url(request) -> str:
    """The page the user came from, when it is on this site: a link back that needs no script."""
    referer = request.META.get("HTTP_REFERER", "")
    allowed = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=False)
    return referer if referer and allowed and referer != request.build_absolute_uri() else ""


def _page(request, template_name: str, status: int, exception=None):
    context = {"reason": _reason(exception), "back_url": back_url(request)}
    return render(request, template_name, context, status=status)


@requires_csrf_token
def bad_request(request, exception):
    # A bad Host header lands here before ALLOWED_HOSTS is satisfied: do not build URLs from it.
    return render(request, "400.html", {"reason": "", "back_url": ""}, status=400)


@requires_csrf_token
def permission_denied(request, exception):
    return _page(request, "403.html", 403, exception)


@requires_csrf_token
def page_not_found(request, exception):
    return _page(request, "404.html", 404, exception)


@requires_csrf_token
def csrf_failure(request, reason=""):
    return _page(request, "caretrack/csrf_failure.html", 403)


def server_error(request):
    """Rendered without the request: no context processors (navigation and roles query the database, which
    may be what failed), no user, no messages. If even that fails, a plain Chinese page."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({}))
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(PLAIN_500)
