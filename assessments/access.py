"""Who may see and change what. Views call these and never repeat the rules.

An agency is visible to its members, to users with oversight of an agency above it, and to
system administrators; editors are its agency administrators and integrity officers.
Anything not visible is reported as not found, so agency codes cannot be probed.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from assessments.models import Agency, Assessment, Membership


def get_agency_for_user(request, code):
    """(agency, can_edit) for an agency the user may see; 404 otherwise."""
    agency = get_object_or_404(Agency.objects.visible_to(request.user).select_related("parent"), code=code)
    return agency, can_edit_agency(request.user, agency)


def get_assessment_for_user(request, code, year):
    """(assessment, can_edit) for an agency's year the user may see; 404 otherwise."""
    agency, can_edit = get_agency_for_user(request, code)
    assessment = get_object_or_404(Assessment.objects.select_related("agency", "version"), agency=agency, fiscal_year=year)
    return assessment, can_edit


def can_edit_agency(user, agency):
    return user.is_superuser or Agency.objects.editable_by(user).filter(pk=agency.pk).exists()


def has_oversight(user):
    return user.is_superuser or Membership.objects.filter(user=user, oversight=True).exists()


def require_oversight(request):
    if not has_oversight(request.user):
        raise PermissionDenied
