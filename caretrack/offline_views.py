"""What a phone needs to install the platform and use it with a weak signal: the service worker at the
root scope (/sw.js, so that it may serve every teacher page) and the web app manifest. Both are public:
the login page links the manifest, and the worker must be fetchable before anyone has logged in."""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

SOURCE = settings.BASE_DIR / "static" / "js"
WORKER_FILES = ("sw.js", "outbox-store.js")  # the worker and the outbox it imports
APP_NAME = "关爱留守儿童工作平台"
THEME_COLOR = "#198754"  # the navigation bar's green (Bootstrap's success)
ICONS = (
    ("icons/caretrack-192.png", "192x192", "any"),
    ("icons/caretrack-512.png", "512x512", "any"),
    ("icons/caretrack-maskable-512.png", "512x512", "maskable"),
)


def _worker_version(sources: list[bytes]) -> str:
    """Changes whenever the worker, its outbox or (after collectstatic) any static file changes, so the
    worker's asset cache is dropped and refilled with the new files."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source)
    static_manifest = settings.STATIC_ROOT / "staticfiles.json"
    if static_manifest.exists():
        digest.update(static_manifest.read_bytes())
    return digest.hexdigest()[:12]


def _worker_script() -> str:
    sources = [(SOURCE / name).read_bytes() for name in WORKER_FILES]
    config = {
        "version": _worker_version(sources),
        "outboxScript": static("js/outbox-store.js"),
        "staticUrl": settings.STATIC_URL,
        "loginUrl": reverse(settings.LOGIN_URL),
    }
    return f"self.CARETRACK = {json.dumps(config)};\n" + sources[0].decode()


_cached_worker_script = lru_cache(maxsize=1)(_worker_script)


@login_not_required
@require_GET
def service_worker(request):
    script = _worker_script() if settings.DEBUG else _cached_worker_script()
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # The browser checks for a new worker on every navigation; it must not be handed a stale copy.
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def web_manifest(request):
    manifest = {
        "name": APP_NAME,
        "short_name": "关爱平台",
        "description": "学校留守儿童关爱工作：谈心、家访、亲情联系、监护人沟通的记录与统计",
        "lang": "zh-CN",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
