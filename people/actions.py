"""Changes to an agency's people, each all or nothing."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template import loader
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.mail import mail_configured
from accounts.sessions import end_sessions_of
from assessments import access
from assessments.models import Role
from measures.models import Unit
from people.models import Departure, Invitation, invitation_expiry, new_token, token_hash

logger = logging.getLogger(__name__)


def _set_units(user, agency, units):
    """The user's units in the agency become `units` (their units elsewhere stay)."""
    rows = Unit.members.through.objects
    rows.filter(user=user, unit__agency=agency).exclude(unit__in=units).delete()
    for unit in units:
        unit.members.add(user)


def do_invite(*, agency, email, name, role, units, language, invited_by) -> tuple[Invitation, str]:
    """A new invitation; returns it with its token (the only time the token is known)."""
    token = new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            agency=agency,
            email=email,
            name=name,
            role=role,
            language=language,
            invited_by=invited_by,
            token_hash=token_hash(token),
        )
        invitation.units.set(units)
    return invitation, token


def do_renew_invitation(*, invitation) -> str:
    """A new link for a pending invitation, valid for INVITATION_DAYS again; the old link stops working."""
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.expires_at = invitation_expiry()
    invitation.save(update_fields=["token_hash", "expires_at"])
    return token


def do_add_member(*, agency, user, role, units):
    """Someone who has an account already joins the agency at once (no second account for them)."""
    with transaction.atomic():
        access.grant(user, agency, role)
        _set_units(user, agency, units)
        Departure.objects.filter(agency=agency, user=user).delete()
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])


def do_accept_invitation(*, invitation, username, password):
    """The account of an accepted invitation, with its membership and units; None when the
    invitation was accepted (or expired) meanwhile, or the user name was taken meanwhile.
    The UPDATE takes the invitation only while it is still open, so two acceptances at the same
    moment create one account."""
    now = timezone.now()
    try:
        with transaction.atomic():
            taken = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=now).update(
                accepted_at=now
            )
            if not taken:
                return None
            first_name, _space, last_name = invitation.name.partition(" ")
            user = get_user_model().objects.create_user(
                username,
                email=invitation.email,
                password=password,
                first_name=first_name[:150],
                last_name=last_name.strip()[:150],
            )
            access.grant(user, invitation.agency, invitation.role)
            _set_units(user, invitation.agency, list(invitation.units.all()))
            Invitation.objects.filter(pk=invitation.pk).update(user=user)
    except IntegrityError:  # the user name was taken between the check and the save
        return None
    return user


def do_change_person(*, membership, role, oversight, units):
    with transaction.atomic():
        access.grant(membership.user, membership.agency, role, oversight=oversight)
        _set_units(membership.user, membership.agency, units)


def do_remove_person(*, membership, removed_by) -> bool:
    """Take the person out of the agency and its units; someone left in no agency can no longer
    sign in and is signed out everywhere. Returns whether the account was deactivated."""
    user, agency = membership.user, membership.agency
    with transaction.atomic():
        Departure.objects.update_or_create(
            agency=agency, user=user, defaults={"role": membership.role, "removed_by": removed_by}
        )
        _set_units(user, agency, [])
        access.revoke(user, agency)
        # A system administrator keeps their account: they reach every agency without a membership.
        deactivated = not access.has_any_membership(user) and not access.administers_all(user)
        if deactivated:
            user.is_active = False
            user.save(update_fields=["is_active"])
            end_sessions_of(user)
    return deactivated


def do_restore_person(*, departure):
    """Bring a removed person back with the role they had (no units: the administrator chooses them again)."""
    with transaction.atomic():
        do_add_member(agency=departure.agency, user=departure.user, role=departure.role, units=[])


def send_invitation(invitation, link) -> bool:
    """E-mail the invitation in its language; False when no mail server is configured or the
    server refused it (the page then shows the link to pass on by hand)."""
    if not mail_configured():
        return False
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "link": link,
            "role": Role(invitation.role).label,
            "days": settings.INVITATION_DAYS,
        }
        subject = _("Invitation to ITA Tracker: %(agency)s") % {"agency": invitation.agency.name_th}
        body = loader.render_to_string("people/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except Exception as exc:
        logger.error("The invitation e-mail %s could not be sent: %s", invitation.pk, exc)
        return False
    return True
