"""Who may see and change measures and progress entries. Views call these, never their own checks.

- system administrators: everything;
- agency administrators and integrity officers (editors): every measure and entry of their
  agency; they write the plan and review entries;
- unit staff: only measures in which one of their units leads or supports, and they report
  only for their own units; a unit membership counts only while the person still has a
  membership in the unit's agency (`measures.models.unit_memberships`);
- executives, and users overseeing the agency from above: read everything, change nothing.
Anything a user may not see answers "not found", whatever id is typed into the address.

The rules themselves are the QuerySet methods `Measure.objects.visible_to` and
`ProgressEntry.objects.visible_to`: the object pages here and every list, the dashboard and
"My updates" read through them, checked on each request.
"""

from django.core.exceptions import PermissionDenied
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


def measures_for(user, agency):
    """The agency's measures the user may see."""
    return Measure.objects.visible_to(user).filter(agency=agency)


def get_plan_for_user(request, code):
    """(agency, role) for an agency whose plan the user may read; 404 otherwise."""
    agency, _can_edit = get_agency_for_user(request, code)
    return agency, role_in(request.user, agency)


def get_measure_for_user(request, pk):
    """(measure, can_edit) for a measure the user may see; 404 otherwise."""
    measure = get_object_or_404(Measure.objects.visible_to(request.user).select_related("agency", "lead_unit"), pk=pk)
    return measure, can_edit_plan(role_in(request.user, measure.agency))


def get_entry_for_user(request, pk):
    """(entry, can_edit, can_review) for an entry the user may see; 404 otherwise.

    Unit staff see and edit only their units' entries; editors may edit any entry of their
    agency and review it. Nobody edits an approved entry until it is reopened.
    """
    entry = get_object_or_404(
        ProgressEntry.objects.visible_to(request.user).select_related("measure__agency", "round", "unit"), pk=pk
    )
    role = role_in(request.user, entry.measure.agency)
    can_review = role in ("admin", "editor")
    # Unit staff see no entry but their own units' (visible_to), so every one they see is theirs.
    can_edit = (can_review or role == "unit") and not entry.locked
    return entry, can_edit, can_review


def require(condition):
    if not condition:
        raise PermissionDenied
