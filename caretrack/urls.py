from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from caretrack import offline_views, staff_views, views
from caretrack.staff_forms import LoginForm

admin.site.site_header = "关爱留守儿童工作平台 管理后台"
admin.site.site_title = "CareTrack 管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The offline service worker at the root scope and the web app manifest (caretrack/offline_views.py).
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.web_manifest, name="web_manifest"),
    path(
        "accounts/login/",
        login_not_required(
            auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", staff_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("org/", include("caretrack.org_urls")),
    path("school/", include("caretrack.school_urls")),
    path("school/staff/", include("caretrack.staff_urls")),
    path("school/rollover/", include("caretrack.rollover_urls")),
    path("school/promotion/", include("children.promotion_urls")),
    path("transfers/", include("children.transfer_urls")),
    path("county/", include("caretrack.county_urls")),
    path("notifications/", include("caretrack.notification_urls")),
    path("children/", include("children.urls")),
    path("guardians/", include("guardians.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("activities/", include("activities.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout and in Chinese, with the reason and a way back (caretrack/errors.py).
handler400 = "caretrack.errors.bad_request"
handler403 = "caretrack.errors.permission_denied"
handler404 = "caretrack.errors.page_not_found"
handler500 = "caretrack.errors.server_error"
