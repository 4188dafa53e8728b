"""Who may see and change measures and progress entries. Views call these, never their own checks.

- system administrators: everything;
- agency administrators and integrity officers (editors): every measure and entry of their
  agency; they write the plan and review entries;
- unit staff: only measures in which one of their units leads or supports, and they report
  only for their own units;
- executives, and users overseeing the agency from above: read everything, change nothing.
Anything a user may not see answers "not found", whatever id is typed into the address.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.access import get_agency_for_user
from assessments.models import EDITOR_ROLES, Agency, Membership, Role
from measures.models import Measure, ProgressEntry


def role_in(user, agency):
    """'admin', 'editor', 'unit', 'reader' or None: what the user is to this agency."""
    if user.is_superuser:
        return "admin"
    roles = set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))
    if roles & set(EDITOR_ROLES):
        return "editor"
    if Role.UNIT_STAFF in roles:
        return "unit"
    if roles or Agency.objects.visible_to(user).filter(pk=agency.pk).exists():
        return "reader"
    return None


def can_edit_plan(role):
    """Whether a role from role_in() changes the plan: its measures, units and reporting rounds."""
    return role in ("admin", "editor")


def measures_for(user, agency, role):
    measures = Measure.objects.filter(agency=agency)
    return measures.for_unit_member(user) if role == "unit" else measures


def get_plan_for_user(request, code):
    """(agency, role) for an agency whose plan the user may read; 404 otherwise."""
    agency, _can_edit = get_agency_for_user(request, code)
    return agency, role_in(request.user, agency)


def get_measure_for_user(request, pk):
    """(measure, can_edit) for a measure the user may see; 404 otherwise."""
    measure = get_object_or_404(Measure.objects.select_related("agency", "lead_unit"), pk=pk)
    role = role_in(request.user, measure.agency)
    if role is None or not measures_for(request.user, measure.agency, role).filter(pk=pk).exists():
        raise Http404
    return measure, role in ("admin", "editor")


def get_entry_for_user(request, pk):
    """(entry, can_edit, can_review) for an entry the user may see; 404 otherwise.

    Unit staff see and edit only their units' entries; editors may edit any entry of their
    agency and review it. Nobody edits an approved entry until it is reopened.
    """
    entry = get_object_or_404(
        ProgressEntry.objects.select_related("measure__agency", "round", "unit"), pk=pk
    )
    role = role_in(request.user, entry.measure.agency)
    own_unit = entry.unit.members.filter(pk=request.user.pk).exists()
    if role is None or (role == "unit" and not own_unit):
        raise Http404
    can_review = role in ("admin", "editor")
    can_edit = (can_review or (role == "unit" and own_unit)) and not entry.locked
    return entry, can_edit, can_review


def require(condition):
    if not condition:
        raise PermissionDenied
