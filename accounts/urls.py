from django.contrib.auth.decorators import login_not_required
from django.urls import path

from accounts.views import access_log, account, password_reset, two_factor

urlpatterns = [
    path("account/", account.account, name="account"),
    path("account/preferences/", account.save_preferences, name="account_preferences"),
    path("account/sign-out-everywhere/", account.sign_out_everywhere, name="sign_out_everywhere"),
    path("two-factor/enrol/", two_factor.enrol, name="second_factor_enrol"),
    path("two-factor/verify/", two_factor.verify, name="second_factor_verify"),
    path("two-factor/remove/", two_factor.remove, name="second_factor_remove"),
    # Replaces Django's page of the same name (accounts/ includes django.contrib.auth.urls after this).
    path(
        "password_reset/",
        login_not_required(password_reset.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("access-log/", access_log.access_log, name="access_log"),
    path("access-log/download.<slug:file_format>", access_log.access_log_download, name="access_log_download"),
]
