"""Who may see and change what. This module alone decides it; pages, template tags, commands,
reports and bundles ask it, and never read memberships themselves.

What a user is to an agency, their `Standing`:

- ADMIN: a system administrator (a superuser): every agency, every right;
- EDITOR: the agency's administrators and integrity officers: they change its results' tier
  settings and its plan (units, measures, reporting rounds), and review its progress entries;
- UNIT: unit staff: only the measures in which one of their units leads or supports, and only
  their own units' progress entries, which they report;
- READER: executives, and users overseeing the agency from above: read everything, change nothing;
- None: the agency is not theirs to see.

The hierarchy (`within`): a user who oversees an agency (a membership with `oversight`, a
ministry or a province) reads the agencies up to three levels under it (ministry → department →
office); the year-end bundle of an organisation holds the same levels. A person belongs to a unit
only while they still have a membership in the unit's agency (`counted_unit_membership`), so that
removing someone from an agency takes them out of its units at once. Anything a user may not see
answers "not found" (404), whatever code or id is typed into the address, so codes cannot be probed.

How it is used, and how it stays in the bottom layer (it imports nothing but `assessments`):

- lists: the QuerySet methods `Agency.objects.visible_to / read_whole_by / editable_by`,
  `Assessment.objects.visible_to`, `Unit.objects.of_member`, `Measure.objects.visible_to`,
  `ProgressEntry.objects.visible_to`, `Bundle.objects.visible_to` and `unit_memberships()` are
  one line each: they apply the Q filters here (`agencies_visible(user)`, `measures_visible(user)`,
  ...), written on lookup paths and reverse accessors (`user.memberships`, `user.units`);
- one object: `agency_for`, `assessment_for`, `year_for`, `plan_for`, `measure_for`, `entry_for`,
  `evidence_for`, `bundle_for` return (object, `Rights`) or raise 404. Those of the upper apps'
  objects take the caller's queryset (`Measure.objects.select_related("agency")`, say), which they
  filter here; select the agency along, as the rights are read from it;
- a standing and its predicates: `standing_in(user, agency)`, `can_edit_results`, `can_edit_plan`,
  `can_review`, `can_report`; `require(condition)` answers 403 for a visible object;
- the menu, asked several times a request and read once: `has_oversight` (`require_oversight`),
  `edits_any_agency`, `reviews_any_agency`, `has_units`;
- the review queue: `entries_reviewable(user)`, the entries whose review steps the user takes;
- bundles: `bundle_organisations`, `bundle_agencies`; memberships: `members_of` (who may join a
  unit), `reviewers_of` (who is told of a submitted report), `grant` (the demo loader);
- published documents (the `reports` app): `can_edit_profile` (the letterhead: as `can_manage_people`),
  `can_sign_off` (a document's signature blocks: as `can_edit_plan`), `can_acknowledge` (the
  agency's executives and administrators acknowledge its plans and reports);
- the audit of access: `can_read_access_log` (the menu and the page), `access_events_visible`;
- framework versions (a new year's framework in the browser): `can_edit_frameworks`;
- people (the `people` app): `can_manage_people`, `people_for` (403 but to the agency's
  administrators and system administrators), `people_agencies` and `manages_people_of` (the menu
  and links), `memberships_of`, `membership_in`, `is_last_agency_admin`,
  `leaves_agency_without_admin`, `may_grant_oversight`, `revoke`, `has_any_membership`.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from assessments.models import EDITOR_ROLES, Agency, Assessment, Membership, Role

type User = AbstractUser | AnonymousUser

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


class Standing(models.TextChoices):
    """What a user is to an agency (see the module's docstring)."""

    ADMIN = "admin"
    EDITOR = "editor"
    UNIT = "unit"
    READER = "reader"


CHANGES = frozenset({Standing.ADMIN, Standing.EDITOR})


def can_edit_results(standing: Standing | None) -> bool:
    """Whether the standing changes the agency's results' settings (the analysis's tiers)."""
    return standing in CHANGES


def can_edit_plan(standing: Standing | None) -> bool:
    """Whether the standing changes the plan: its measures, units and reporting rounds."""
    return standing in CHANGES


def can_review(standing: Standing | None) -> bool:
    """Whether the standing takes the integrity office's review steps on progress entries."""
    return standing in CHANGES


def can_report(standing: Standing | None) -> bool:
    """Whether the standing writes progress entries (unit staff: of the entries they see, their units')."""
    return standing in CHANGES or standing == Standing.UNIT


def standing_in(user: User, agency: Agency) -> Standing | None:
    """What the user is to the agency; None when they may not see it."""
    return _standing(user, agency, known_visible=False)


def _standing(user: User, agency: Agency, *, known_visible: bool) -> Standing | None:
    # `known_visible`: the agency was read through `agencies_visible`, so one query is enough.
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Standing.ADMIN
    roles = set(user.memberships.filter(agency=agency).values_list("role", flat=True))
    if roles & set(EDITOR_ROLES):
        return Standing.EDITOR
    if Role.UNIT_STAFF in roles:
        return Standing.UNIT
    if roles or known_visible or Agency.objects.filter(agencies_visible(user), pk=agency.pk).exists():
        return Standing.READER
    return None


def administers_all(user: User) -> bool:
    """Whether the user is a system administrator, who sees and changes every agency."""
    return user.is_authenticated and user.is_superuser


def needs_second_factor(user: User) -> bool:
    """Whether the user must sign in with a second factor: system administrators, anyone who may
    use the admin site, and agency administrators. Asked once, at sign-in (one query)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return user.memberships.filter(role=Role.AGENCY_ADMIN).exists()


# --- Lists: Q filters, which the QuerySet methods of each model apply ----------------------------


def within(agencies: QuerySet | list[int]) -> Q:
    """Agencies among `agencies` (a query of agency ids, or ids) or up to three levels under one:
    as far as oversight reaches (ministry → department → office), and what a bundle holds."""
    return (
        Q(pk__in=agencies)
        | Q(parent__in=agencies)
        | Q(parent__parent__in=agencies)
        | Q(parent__parent__parent__in=agencies)
    )


def agencies_visible(user: User) -> Q:
    """Agencies the user may read: their own, those under an agency they oversee, or all for system administrators."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    overseen = user.memberships.filter(oversight=True).values("agency")
    return Q(pk__in=user.memberships.values("agency")) | within(overseen)


def agencies_read_whole(user: User) -> Q:
    """Agencies whose every measure and progress entry the user may read: the visible ones,
    except where the user is unit staff, who see only their units' share of the plan."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    staff_of = user.memberships.filter(role=Role.UNIT_STAFF).values("agency")
    return agencies_visible(user) & ~Q(pk__in=staff_of)


def agencies_editable(user: User) -> Q:
    """Agencies whose results and plans the user may change."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    return Q(pk__in=user.memberships.filter(role__in=EDITOR_ROLES).values("agency"))


def assessments_visible(user: User) -> Q:
    """Assessments (an agency's year of results) of the agencies the user may read."""
    return Q(agency__in=Agency.objects.filter(agencies_visible(user)))


def counted_unit_membership() -> Exists:
    """A filter on the rows of `Unit.members`: those that count, whose person still has a
    membership in the unit's agency (their row in `members` may outlive the membership)."""
    return Exists(Membership.objects.filter(user=OuterRef("user"), agency=OuterRef("unit__agency")))


def _unit_rows(user: AbstractUser) -> QuerySet:
    """The user's rows of `Unit.members` that count."""
    return user.units.through.objects.filter(counted_unit_membership(), user=user)


def units_of_member(user: User) -> Q:
    """Units (`Unit`) the user belongs to, as `counted_unit_membership` counts them."""
    if not user.is_authenticated:
        return NOTHING
    return Q(pk__in=_unit_rows(user).values("unit"))


def measures_visible(user: User) -> Q:
    """Measures (`Measure`) the user may see: all of an agency they read whole, and those in which
    one of their units leads or supports. Subqueries, not joins, so that aggregates over the
    result count each measure once."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    units = _unit_rows(user)
    return (
        Q(agency__in=Agency.objects.filter(agencies_read_whole(user)))
        | Q(lead_unit__in=units.values("unit"))
        | Q(pk__in=units.values("unit__supported_measures"))
    )


def entries_visible(user: User) -> Q:
    """Progress entries (`ProgressEntry`) the user may see: all of an agency they read whole, and
    their own units' entries."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    return Q(measure__agency__in=Agency.objects.filter(agencies_read_whole(user))) | Q(
        unit__in=_unit_rows(user).values("unit")
    )


def checklist_items_visible(user: User) -> Q:
    """OIT checklist items (`oit.ChecklistItem`) the user may see: all of an agency they read
    whole, and those their own units answer."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    return Q(agency__in=Agency.objects.filter(agencies_read_whole(user))) | Q(unit__in=_unit_rows(user).values("unit"))


def entries_reviewable(user: User) -> Q:
    """Progress entries (`ProgressEntry`) the user takes review steps on (`can_review`): those of
    the agencies they edit, all for system administrators. Oversight and executives only read,
    so overseers review nothing."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    return Q(measure__agency__in=Agency.objects.filter(agencies_editable(user)))


def bundles_visible(user: User) -> Q:
    """Year-end bundles (`Bundle`) the user asked for and may still have: of an organisation they
    may still ask a bundle for, holding no agency they may no longer read. Checked on every
    request, so a removed membership takes effect at once."""
    if not user.is_authenticated:
        return NOTHING
    unreadable = Agency.objects.exclude(pk__in=Agency.objects.filter(agencies_visible(user)))
    editable = Agency.objects.filter(agencies_editable(user))
    return Q(requested_by=user, organisation__in=editable) & ~Q(agencies__in=unreadable)


def bundle_organisations(user: User) -> QuerySet[Agency]:
    """The agencies whose year-end bundles the user may ask for: those they edit."""
    return Agency.objects.filter(agencies_editable(user)).order_by("name_th")


def bundle_agencies(organisation: Agency, user: User) -> QuerySet[Agency]:
    """The organisation and the agencies under it (as oversight reaches) that the user may read."""
    return Agency.objects.filter(agencies_visible(user)).filter(within([organisation.pk])).order_by("code")


def reviewers_of(agency_id: int) -> QuerySet:
    """The active people who take the review steps on the agency's progress entries (`can_review`
    through a membership: its administrators and integrity officers), told when a unit submits.
    System administrators review everything but are no one's reviewer: they are not told."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__agency=agency_id, memberships__role__in=EDITOR_ROLES)
        .distinct()
    )


def editors_of(agency: Agency) -> QuerySet:
    """The user ids of the agency's editors (administrators and integrity officers), as a subquery:
    whose edits count as the office's own (who prepared a document)."""
    return Membership.objects.filter(agency=agency, role__in=EDITOR_ROLES).values("user")


def officers_of(agency: Agency) -> QuerySet:
    """The user ids of the agency's integrity officers, the longest-standing first."""
    return Membership.objects.filter(agency=agency, role=Role.OFFICER).order_by("pk").values("user")


def members_of(agency: Agency) -> QuerySet:
    """The people with a membership (any role) in the agency: those who may join its units."""
    return get_user_model().objects.filter(memberships__agency=agency).distinct()


def grant(user: AbstractUser, agency: Agency, role: Role, *, oversight: bool = False) -> Membership:
    """Give the user `role` in the agency (replacing the role they had there)."""
    membership, _created = Membership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": role, "oversight": oversight}
    )
    return membership


# --- One object: the object and what the user may do with it, or 404 ----------------------------


@dataclass(frozen=True)
class Rights:
    """What the user may do with one object; `standing` is what they are to its agency."""

    standing: Standing | None
    # An agency or its year: change the results' settings; a plan or a measure: change the plan;
    # a progress entry or its evidence: write the report (nobody does while it is locked: under
    # review or approved).
    can_edit: bool = False
    can_review: bool = False  # a progress entry: take the review steps
    # A progress entry: report for it, whatever its state: send it, withdraw it from review, and
    # be told, not refused, when it was locked while they were typing.
    can_report: bool = False


def agency_for(user: User, code: str) -> tuple[Agency, Rights]:
    """An agency the user may see, by its code, and the rights on its results; 404 otherwise."""
    agency = get_object_or_404(
        Agency.objects.filter(agencies_visible(user)).select_related("parent", "agency_type"), code=code
    )
    standing = _standing(user, agency, known_visible=True)
    return agency, Rights(standing, can_edit=can_edit_results(standing))


def assessment_for(user: User, code: str, year: int) -> tuple[Assessment, Rights]:
    """An agency's year of results the user may see, and the rights on it; 404 otherwise."""
    agency, rights = agency_for(user, code)
    assessment = get_object_or_404(
        Assessment.objects.select_related("agency", "version"), agency=agency, fiscal_year=year
    )
    return assessment, rights


def year_for(user: User, code: str, year: int) -> tuple[Agency, Assessment | None, Rights]:
    """An agency the user may see, its year of results if loaded (None otherwise), and the rights
    on its results; 404 when the agency is not one the user may see."""
    agency, rights = agency_for(user, code)
    assessment = Assessment.objects.select_related("agency", "version").filter(agency=agency, fiscal_year=year).first()
    return agency, assessment, rights


def plan_for(user: User, code: str) -> tuple[Agency, Rights]:
    """An agency whose plan (units, measures, rounds) the user may read, and the rights on it;
    404 otherwise. Unit staff read only their units' measures of it (`measures_visible`)."""
    agency = get_object_or_404(Agency.objects.filter(agencies_visible(user)).select_related("parent"), code=code)
    standing = _standing(user, agency, known_visible=True)
    return agency, Rights(standing, can_edit=can_edit_plan(standing))


def measure_for(user: User, measures: QuerySet, pk: int) -> tuple[models.Model, Rights]:
    """A measure of `measures` (a `Measure` queryset) the user may see, and the rights on it; 404 otherwise."""
    measure = get_object_or_404(measures.filter(measures_visible(user)), pk=pk)
    standing = standing_in(user, measure.agency)
    return measure, Rights(standing, can_edit=can_edit_plan(standing))


def entry_for(user: User, entries: QuerySet, pk: int) -> tuple[models.Model, Rights]:
    """A progress entry of `entries` (a `ProgressEntry` queryset) the user may see, and the rights
    on it; 404 otherwise. Unit staff see no entry but their own units' (`entries_visible`), so
    every one they see is theirs to report; editors report and review any of their agency's."""
    entry = get_object_or_404(entries.filter(entries_visible(user)), pk=pk)
    standing = standing_in(user, entry.measure.agency)
    reports = can_report(standing)
    return entry, Rights(
        standing, can_edit=reports and not entry.locked, can_review=can_review(standing), can_report=reports
    )


def evidence_for(user: User, entries: QuerySet, pk: int, evidence_pk: int) -> tuple[models.Model, Rights]:
    """A file of evidence of a progress entry the user may see (as `entry_for`), and the rights on
    the entry (`can_edit`: remove the file); 404 otherwise."""
    entry, rights = entry_for(user, entries, pk)
    return get_object_or_404(entry.evidence, pk=evidence_pk), rights


def bundle_for(user: User, bundles: QuerySet, pk: int) -> tuple[models.Model, Rights]:
    """A year-end bundle of `bundles` (a `Bundle` queryset) that the user may still have, as
    `bundles_visible` says, and the rights on it (download only); 404 otherwise."""
    bundle = get_object_or_404(bundles.filter(bundles_visible(user)), pk=pk)
    # Whoever still has a bundle asked for it and edits its organisation.
    return bundle, Rights(Standing.ADMIN if user.is_superuser else Standing.EDITOR)


def checklist_for(user: User, code: str) -> tuple[Agency, Rights]:
    """An agency whose OIT checklist the user may read, and the rights on it; 404 otherwise.
    Editors assign items, review them and publish the public page (`can_edit`, `can_review`);
    unit staff fill in their units' items (`can_report`) and read no others
    (`checklist_items_visible`); executives and overseers read."""
    agency = get_object_or_404(Agency.objects.filter(agencies_visible(user)), code=code)
    standing = _standing(user, agency, known_visible=True)
    return agency, Rights(
        standing, can_edit=can_edit_plan(standing), can_review=can_review(standing), can_report=can_report(standing)
    )


def reads_checklist_whole(rights: Rights) -> bool:
    """Whether the rights read every item of the checklist, not only their units' ones."""
    return rights.standing is not None and rights.standing != Standing.UNIT


def require(condition: bool) -> None:
    """Refuse (403) unless `condition`: for a visible object the user may not change."""
    if not condition:
        raise PermissionDenied


# --- The menu ------------------------------------------------------------------------------------


def _memberships(user: AbstractUser) -> list[tuple[str, bool]]:
    """(role, oversight) of each of the user's memberships, read once per user object (a request's)."""
    return [(role, oversight) for role, oversight, _code in _memberships_with_codes(user)]


def _memberships_with_codes(user: AbstractUser) -> list[tuple[str, bool, str]]:
    """(role, oversight, agency code) of each of the user's memberships, read once per user object."""
    if not hasattr(user, "_memberships"):
        user._memberships = list(user.memberships.values_list("role", "oversight", "agency__code"))
    return user._memberships


def has_oversight(user: User) -> bool:
    """Whether the user oversees other agencies (or administers them all): the multi-agency overview."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(oversight for _role, oversight in _memberships(user))


def dashboard_scope(user: User) -> str | None:
    """What decides the agencies and whole plans a user's dashboard shows, as text: "all" for a
    system administrator, else their memberships' agencies, each marked when overseen. Those with
    the same scope see the same dashboard. None for unit staff, whose share of plans is their own."""
    if not user.is_authenticated or not sees_plans_whole(user):
        return None
    if user.is_superuser:
        return "all"
    memberships = _memberships_with_codes(user)
    return " ".join(sorted(f"{code}{'+' if oversight else ''}" for _role, oversight, code in memberships))


def require_oversight(user: User) -> None:
    """Refuse (403) the multi-agency pages to a user who oversees nothing."""
    require(has_oversight(user))


def edits_any_agency(user: User) -> bool:
    """Whether the user edits some agency (or administers them all): importing results, year-end bundles."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(role in EDITOR_ROLES for role, _oversight in _memberships(user))


def reviews_any_agency(user: User) -> bool:
    """Whether the user reviews some agency's progress entries (the review queue): those who edit
    an agency (`can_review` is `can_edit_plan`), read with the menu's memberships."""
    return edits_any_agency(user)


def is_unit_staff_somewhere(user: User) -> bool:
    """Whether the user is unit staff of any agency, and so sees only their units' share of its
    plan (`agencies_read_whole`); read with the menu's memberships."""
    return user.is_authenticated and any(role == Role.UNIT_STAFF for role, _oversight in _memberships(user))


def sees_plans_whole(user: User) -> bool:
    """Whether every measure of every agency the user may see is theirs to see, so that the stored
    counts of whole plans are theirs: not so for unit staff, who see their units' measures only."""
    return user.is_superuser or not is_unit_staff_somewhere(user)


def has_units(user: User) -> bool:
    """Whether the user reports for a unit (and so has "My updates"); read once per user object."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_has_units"):
        user._has_units = _unit_rows(user).exists()
    return user._has_units


# --- Published documents ------------------------------------------------------------------------


def can_edit_profile(user: User, agency: Agency) -> bool:
    """Whether the user edits the agency's letterhead (full name, address, logo): its agency
    administrators and system administrators, as for its people."""
    return can_manage_people(user, agency)


def can_sign_off(standing: Standing | None) -> bool:
    """Whether the standing chooses the signature blocks a document of the agency prints: those who edit its plan."""
    return standing in CHANGES


def can_acknowledge(user: User, agency: Agency) -> bool:
    """Whether the user acknowledges the agency's plans and reports ("รับทราบ", "เห็นชอบ"): its own
    executives and agency administrators, through a membership of the agency itself. Oversight
    from a ministry or province reads but does not acknowledge, and a system administrator is
    nobody's executive."""
    if not user.is_authenticated:
        return False
    # Read with the menu's memberships: no query more on the page that offers the form.
    acknowledging = (Role.EXECUTIVE, Role.AGENCY_ADMIN)
    return any(
        role in acknowledging and code == agency.code for role, _oversight, code in _memberships_with_codes(user)
    )


# --- Framework versions ------------------------------------------------------------------------

FRAMEWORK_PERMISSIONS = ("assessments.add_frameworkversion", "assessments.change_frameworkversion")


def can_edit_frameworks(user: User) -> bool:
    """Whether the user lists framework versions and creates a new year's: system administrators,
    and staff given the permissions to add and change framework versions (those who may upload a
    framework file in the administration). Only staff are asked for permissions, so that the menu
    costs no query for everyone else."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (user.is_staff and user.has_perms(FRAMEWORK_PERMISSIONS))


# --- The audit of access -------------------------------------------------------------------------


def can_read_access_log(user: User) -> bool:
    """Whether the user reads the access log: system administrators and agencies' administrators."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(role == Role.AGENCY_ADMIN for role, _oversight in _memberships(user))


def access_events_visible(user: User, *, account_kinds: list[str]) -> Q:
    """Access events (`AccessEvent`) the user may read: every one for system administrators; for
    an agency's administrators the events of its files (reports, bundles, evidence) and the
    `account_kinds` events (sign-ins, sign-outs, failed sign-ins: those of no agency) of the
    people who are members of it. Subqueries, so that a person in two such agencies is listed once."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    administered = user.memberships.filter(role=Role.AGENCY_ADMIN).values("agency")
    members = Membership.objects.filter(agency__in=administered).values("user")
    return Q(agency__in=administered) | Q(kind__in=account_kinds, user__in=members)


# --- People: who invites, changes and removes an agency's members ----------------------------------


def can_manage_people(user: User, agency: Agency) -> bool:
    """Whether the user invites, changes and removes the agency's people: its agency
    administrators, and system administrators for every agency."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.memberships.filter(agency=agency, role=Role.AGENCY_ADMIN).exists()


def people_for(user: User, code: str) -> tuple[Agency, Rights]:
    """An agency whose people the user manages; 404 if they may not see it, 403 if they see it
    but do not administer it (officers, unit staff, executives, overseers)."""
    agency, rights = agency_for(user, code)
    require(can_manage_people(user, agency))
    return agency, Rights(rights.standing, can_edit=True)


def people_agencies(user: User) -> list[str]:
    """Codes of the agencies whose people the user manages as their administrator, for the menu
    (system administrators reach every agency's from its page); read with the menu's memberships."""
    if not user.is_authenticated or user.is_superuser:
        return []
    return sorted(code for role, _oversight, code in _memberships_with_codes(user) if role == Role.AGENCY_ADMIN)


def manages_people_of(user: User, code: str) -> bool:
    """`can_manage_people` for the links on pages (the agency's code), from the menu's memberships: no query more."""
    return administers_all(user) or code in people_agencies(user)


def may_grant_oversight(user: User) -> bool:
    """Whether the user may give a membership oversight of the agencies below: system administrators only."""
    return administers_all(user)


def memberships_of(agency: Agency) -> QuerySet[Membership]:
    """The agency's memberships (its people with their roles)."""
    return Membership.objects.filter(agency=agency)


def membership_in(agency: Agency, user_pk: int) -> Membership | None:
    """The membership of the user `user_pk` in the agency, with the user; None if they have none."""
    return Membership.objects.select_related("user").filter(agency=agency, user_id=user_pk).first()


def is_last_agency_admin(membership: Membership) -> bool:
    """Whether this membership is the agency's only agency administrator."""
    if membership.role != Role.AGENCY_ADMIN:
        return False
    others = Membership.objects.filter(agency_id=membership.agency_id, role=Role.AGENCY_ADMIN)
    return not others.exclude(pk=membership.pk).exists()


def leaves_agency_without_admin(membership: Membership, new_role: str | None = None) -> bool:
    """Whether giving the membership `new_role` (None: removing it) leaves its agency with no agency administrator."""
    if new_role == Role.AGENCY_ADMIN:
        return False
    return is_last_agency_admin(membership)


def has_any_membership(user: AbstractUser) -> bool:
    """Whether the user still belongs to some agency."""
    return user.memberships.exists()


def revoke(user: AbstractUser, agency: Agency) -> None:
    """Take the user's membership in the agency away."""
    Membership.objects.filter(user=user, agency=agency).delete()
