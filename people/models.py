"""An agency's people, managed by its administrators without the Django admin: invitations by
e-mail, and the people removed from an agency, so that they can be brought back."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Agency, Role
from measures.models import Unit


def token_hash(token: str) -> str:
    """What is stored of an invitation's token: a leaked database gives no link that works."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Invitations not accepted yet (expired ones included: the page offers to send them again)."""
        return self.filter(accepted_at__isnull=True)


class Invitation(models.Model):
    """An invitation to join an agency with a role and units, sent by e-mail as a link that sets
    the new account's user name and password. Only a hash of the link's token is kept."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("units"))
    language = models.CharField(_("language of the e-mail"), max_length=8, choices=settings.LANGUAGES)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_address",
            )
        ]

    def __str__(self):
        return f"{self.email} – {self.agency}"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Departure(models.Model):
    """Someone removed from an agency: listed on its people page with the role they had, so that
    an administrator can bring them back. Deleted when they are."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    removed_at = models.DateTimeField(_("removed"), default=timezone.now)

    class Meta:
        verbose_name = _("former member")
        verbose_name_plural = _("former members")
        ordering = ["-removed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "user"], name="one_departure_per_agency_and_user")]

    def __str__(self):
        return f"{self.user} – {self.agency}"
