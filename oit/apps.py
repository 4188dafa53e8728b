from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OitConfig(AppConfig):
    name = "oit"
    verbose_name = _("OIT evidence")
