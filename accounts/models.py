"""Who is signed in where, and the audit of access: sign-ins, sign-outs and the files people open."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import access


class Session(AbstractBaseSession):
    """Django's database session with the user it belongs to, so that "sign out everywhere"
    can end a user's sessions without reading every session in the table."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore  # noqa: PLC0415 (sessions imports this module)

        return SessionStore


class AccessEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The events the user may read in the access log (see `access.access_events_visible`)."""
        return self.filter(access.access_events_visible(user, account_kinds=ACCOUNT_KINDS))


class EmailNotifications(models.TextChoices):
    """How a person hears by e-mail of the review steps they are notified of (in the app they always are)."""

    IMMEDIATELY = "immediately", _("An e-mail for each event")
    DAILY_DIGEST = "daily", _("One e-mail a day (digest)")
    OFF = "off", _("No e-mail")


class Preferences(models.Model):
    """What a user chose for themselves, kept with the user rather than one browser."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    email_notifications = models.CharField(
        _("e-mail notifications"),
        max_length=12,
        choices=EmailNotifications.choices,
        default=EmailNotifications.IMMEDIATELY,
    )
    # Printed under the person's name in the signature blocks of the documents they prepare,
    # check or acknowledge (ตำแหน่ง).
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return str(self.user)


class AccessEvent(models.Model):
    """One sign-in, failed sign-in, sign-out or opened file: who, when, what and from where.

    Rows are only ever added: the admin shows them read-only and no page changes them. The user
    may be deleted later; the name typed or held at the time stays in `username`."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOGOUT = "logout", _("Signed out")
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", _("Signed out everywhere")
        SECOND_FACTOR_ADDED = "second_factor_added", _("Second factor added")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
        REPORT_DOWNLOAD = "report_download", _("Report downloaded")
        BUNDLE_DOWNLOAD = "bundle_download", _("Bundle downloaded")
        BUNDLE_REQUESTED = "bundle_requested", _("Bundle requested")
        EVIDENCE_VIEW = "evidence_view", _("Evidence opened")
        # Changes to an agency's people (the people app): `user` made them, `what` names the person.
        PERSON_INVITED = "person_invited", _("Person invited")
        INVITATION_CANCELLED = "invitation_cancelled", _("Invitation cancelled")
        PERSON_JOINED = "person_joined", _("Person joined")
        PERSON_CHANGED = "person_changed", _("Role or units changed")
        PERSON_REMOVED = "person_removed", _("Person removed")
        PERSON_RESTORED = "person_restored", _("Person brought back")
        # Steps on the documents an agency publishes (the reports app): `what` names the document.
        PROFILE_CHANGED = "profile_changed", _("Letterhead changed")
        SIGN_OFF_CHANGED = "sign_off_changed", _("Signature blocks changed")
        DOCUMENT_ACKNOWLEDGED = "document_acknowledged", _("Document acknowledged")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    agency = models.ForeignKey("assessments.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(_("what"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "-at"]),
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["kind", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"


# Events of a person's account rather than of an agency's files: they carry no agency, and an
# agency's administrators read those of its members.
ACCOUNT_KINDS = [
    AccessEvent.Kind.LOGIN,
    AccessEvent.Kind.LOGIN_FAILED,
    AccessEvent.Kind.LOCKED_OUT,
    AccessEvent.Kind.LOGOUT,
    AccessEvent.Kind.SIGNED_OUT_EVERYWHERE,
    AccessEvent.Kind.SECOND_FACTOR_ADDED,
    AccessEvent.Kind.SECOND_FACTOR_FAILED,
]
