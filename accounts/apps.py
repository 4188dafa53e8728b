from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self):
        from accounts import checks, language, recording, sign_in  # noqa: F401, PLC0415 (receivers and checks connect on import)
