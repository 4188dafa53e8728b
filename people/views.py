"""An agency's people: its administrators invite, change and remove them; system administrators
do so for every agency. The invitation's own page lets the invited person set up their account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import Kind, record
from accounts.mail import mail_configured
from assessments import access
from assessments.models import Role
from measures.models import Unit
from people.actions import (
    do_accept_invitation,
    do_add_member,
    do_change_person,
    do_invite,
    do_remove_person,
    do_renew_invitation,
    do_restore_person,
    send_invitation,
)
from people.forms import AcceptForm, InviteForm, PersonForm
from people.models import Departure, Invitation, token_hash


def _name(user):
    return user.get_full_name() or user.get_username()


def _units_text(units):
    return ", ".join(str(unit) for unit in units) or "–"


@require_GET
def people(request, code):
    """The agency's members, its pending invitations and the people removed from it."""
    agency, _rights = access.people_for(request.user, code)
    units = Unit.objects.filter(agency=agency).order_by("name")
    members = (
        access.memberships_of(agency)
        .select_related("user")
        .prefetch_related(Prefetch("user__units", queryset=units, to_attr="agency_units"))
        .order_by("user__first_name", "user__username")
    )
    invitations = (
        Invitation.objects.pending()
        .filter(agency=agency)
        .select_related("invited_by")
        .prefetch_related(Prefetch("units", queryset=units))
    )
    departures = Departure.objects.filter(agency=agency).select_related("user", "removed_by")
    context = {"agency": agency, "members": members, "invitations": invitations, "departures": departures}
    return render(request, "people/people.html", context)


def _handed_over(request, agency, invitation, token):
    """E-mail the invitation; when no mail went out, the page shows the link to pass on by hand."""
    link = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
    if send_invitation(invitation, link):
        messages.success(request, _("The invitation was sent to %(email)s.") % {"email": invitation.email})
        return redirect("people", agency.code)
    context = {"agency": agency, "invitation": invitation, "link": link, "mail_configured": mail_configured()}
    return render(request, "people/invitation_link.html", context)


@require_http_methods(["GET", "POST"])
def invite(request, code):
    """Invite someone by e-mail; someone who has an account already joins at once."""
    agency, _rights = access.people_for(request.user, code)
    form = InviteForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accounts = list(get_user_model().objects.filter(email__iexact=data["email"]).order_by("pk")[:2])
        if len(accounts) > 1:
            form.add_error("email", _("Several accounts have this address. Please ask a system administrator."))
        elif accounts and access.membership_in(agency, accounts[0].pk):
            form.add_error(
                "email",
                _("%(name)s is a member of this agency already: change their role on their page.")
                % {"name": _name(accounts[0])},
            )
        elif accounts:
            person = accounts[0]
            do_add_member(agency=agency, user=person, role=data["role"], units=data["units"])
            what = f"{person.get_username()}: {Role(data['role']).label}; {_units_text(data['units'])}"
            record(request, Kind.PERSON_JOINED, agency=agency, what=what)
            messages.success(
                request,
                _("%(name)s has an account already and was added to the agency; they sign in as before.")
                % {"name": _name(person)},
            )
            return redirect("people", agency.code)
        else:
            invitation, token = do_invite(agency=agency, invited_by=request.user, **data)
            record(
                request, Kind.PERSON_INVITED, agency=agency, what=f"{invitation.email}: {Role(invitation.role).label}"
            )
            return _handed_over(request, agency, invitation, token)
    return render(request, "people/invite.html", {"agency": agency, "form": form, "days": settings.INVITATION_DAYS})


@require_POST
def invitation_resend(request, code, pk):
    """A new link for a pending invitation (the old one stops working), valid for the full time again."""
    agency, _rights = access.people_for(request.user, code)
    invitation = get_object_or_404(Invitation.objects.pending(), agency=agency, pk=pk)
    token = do_renew_invitation(invitation=invitation)
    record(request, Kind.PERSON_INVITED, agency=agency, what=f"{invitation.email}: {Role(invitation.role).label}")
    return _handed_over(request, agency, invitation, token)


@require_POST
def invitation_cancel(request, code, pk):
    agency, _rights = access.people_for(request.user, code)
    invitation = get_object_or_404(Invitation.objects.pending(), agency=agency, pk=pk)
    invitation.delete()
    record(request, Kind.INVITATION_CANCELLED, agency=agency, what=invitation.email)
    messages.success(request, _("The invitation to %(email)s was cancelled.") % {"email": invitation.email})
    return redirect("people", agency.code)


@require_http_methods(["GET", "POST"])
def person_edit(request, code, user_pk):
    """Change a member's role, units and (system administrators) oversight; or bring back someone removed."""
    agency, _rights = access.people_for(request.user, code)
    membership = access.membership_in(agency, user_pk)
    if membership is None:
        departure = get_object_or_404(Departure.objects.select_related("user"), agency=agency, user_id=user_pk)
        return render(request, "people/former_member.html", {"agency": agency, "departure": departure})
    person = membership.user
    units = Unit.objects.filter(agency=agency, members=person).order_by("name")
    form = PersonForm(
        request.POST or None,
        initial={"role": membership.role, "oversight": membership.oversight, "units": list(units)},
        agency=agency,
        may_grant_oversight=access.may_grant_oversight(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person == request.user and access.leaves_agency_without_admin(membership, data["role"]):
            form.add_error("role", _("You are the agency's only administrator: make someone else one first."))
        else:
            do_change_person(membership=membership, role=data["role"], oversight=data["oversight"], units=data["units"])
            what = f"{person.get_username()}: {Role(data['role']).label}; {_units_text(data['units'])}"
            record(request, Kind.PERSON_CHANGED, agency=agency, what=what)
            messages.success(request, _("%(name)s was saved.") % {"name": _name(person)})
            return redirect("people", agency.code)
    context = {"agency": agency, "membership": membership, "person": person, "form": form}
    return render(request, "people/person_edit.html", context)


@require_POST
def person_remove(request, code, user_pk):
    """Take someone out of the agency; in no agency any more, they can no longer sign in."""
    agency, _rights = access.people_for(request.user, code)
    membership = access.membership_in(agency, user_pk)
    if membership is None:
        return redirect("people", agency.code)  # removed already (two clicks, two tabs)
    person = membership.user
    if person == request.user and access.leaves_agency_without_admin(membership):
        messages.error(request, _("You are the agency's only administrator: make someone else one first."))
        return redirect("person_edit", agency.code, person.pk)
    deactivated = do_remove_person(membership=membership, removed_by=request.user)
    record(request, Kind.PERSON_REMOVED, agency=agency, what=person.get_username())
    if deactivated:
        message = _(
            "%(name)s was removed from the agency. They belong to no other agency, so they can no longer sign in."
        )
    else:
        message = _("%(name)s was removed from the agency.")
    messages.success(request, message % {"name": _name(person)})
    return redirect("people", agency.code)


@require_POST
def person_restore(request, code, user_pk):
    """Bring back someone removed, with the role they had; their units are chosen again."""
    agency, _rights = access.people_for(request.user, code)
    departure = get_object_or_404(Departure.objects.select_related("user", "agency"), agency=agency, user_id=user_pk)
    do_restore_person(departure=departure)
    record(request, Kind.PERSON_RESTORED, agency=agency, what=departure.user.get_username())
    messages.success(
        request, _("%(name)s is a member of the agency again; choose their units.") % {"name": _name(departure.user)}
    )
    return redirect("person_edit", agency.code, departure.user.pk)


def _gone(request, invitation):
    context = {"invitation": invitation, "used": invitation.accepted_at is not None}
    return render(request, "people/invitation_gone.html", context, status=410)


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The invited person chooses a user name and password; the account is created and signed in."""
    invitation = get_object_or_404(Invitation.objects.select_related("agency"), token_hash=token_hash(token))
    if invitation.accepted_at is not None or invitation.expired:
        return _gone(request, invitation)
    form = AcceptForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        user = do_accept_invitation(
            invitation=invitation, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
        )
        if user is None:
            invitation.refresh_from_db()
            if invitation.accepted_at is not None or invitation.expired:
                return _gone(request, invitation)
            form.add_error("username", _("This user name is taken. Please choose another."))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            what = f"{user.get_username()}: {Role(invitation.role).label}"
            record(request, Kind.PERSON_JOINED, user=user, agency=invitation.agency, what=what)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("home")
    return render(request, "people/invitation_accept.html", {"invitation": invitation, "form": form})
