from django.conf import settings
from django.shortcuts import render


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
            return render(request, "caretrack/too_large.html", {"limit_mb": limit_mb}, status=413)
        return self.get_response(request)
