from django.contrib import admin
from django.urls import include, path

from accounts.language import choose_language
from ita_tracker import views

urlpatterns = [
    path("", include("assessments.urls")),
    path("", include("measures.urls")),
    path("", include("notifications.urls")),
    path("", include("reports.urls")),
    path("", include("oit.urls")),
    path("", include("dashboards.urls")),
    path("", include("people.urls")),
    # The app's own account pages come first: they replace some of Django's (same names).
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch is on the login page too; a signed-in user's choice is kept with them.
    path("i18n/setlang/", choose_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
]

# Error pages in the site's layout and the user's language (Django's own are bare English).
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
