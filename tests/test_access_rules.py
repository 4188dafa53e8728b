"""The access rules live in one module, `assessments/access.py`, and say what each member of the cast may do.

The first part reads the project's source and fails, listing where, on any rule about access written
outside that module: a superuser check, a membership query, an oversight lookup, a membership role
or a standing compared, a role written as a bare string, the hierarchy written again. The second
part asks the module itself what each member of the cast may do.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.http import Http404

from assessments import access
from assessments.access import Rights, Standing
from assessments.models import Agency, Membership
from measures.models import Evidence, Measure, ProgressEntry, State, Unit
from reports.models import Bundle
from tests import factories

# --- Nobody else decides ----------------------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
SCANNED = ("assessments", "accounts", "measures", "people", "reports", "oit", "dashboards", "ita_tracker", "templates")
THE_MODULE = Path("assessments/access.py")
ROLE_WORDS = "admin|editor|unit|reader|agency_admin|officer|unit_staff|executive"
RULES = {
    # Reading the flag decides; the demo loader setting it on its demo accounts does not.
    "a superuser check": r"\bis_superuser\b(?!\s*=[^=])",
    "a membership query": r"\bMembership\.objects\b|\bmemberships__|\.memberships\.",
    "an oversight lookup": (
        r"\boversight__|\b(?:filter|exclude|get|Q|values|values_list|create|update_or_create|get_or_create)"
        r"\([^)]*\boversight\b"
    ),
    "a membership role in a rule": (
        r"\bEDITOR_ROLES\b(?!\s*=)|\brole__in\b|\brole\s*=\s*Role\.|\bRole\.\w+\s+(?:not\s+)?in\b"
        r"|[=!]=\s*Role\.|\bRole\.\w+\s*[=!]="
    ),
    "a standing outside its module": r"\bStanding\b",
    "the hierarchy rule": r"\bparent__parent\b",
    "a role written as a string": (
        rf"""(?:[=!]=|\bin)\s*[(\[{{]?\s*["'](?:{ROLE_WORDS})["']|["'](?:{ROLE_WORDS})["']\s*(?:[=!]=|\bin\b|\bnot\s+in\b|,\s*["'](?:{ROLE_WORDS})["']\s*[)\]}}])"""
    ),
}


def offences(text):
    """(line number, rule, line) for each line of `text` that decides access by itself."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for rule, pattern in RULES.items():
            if re.search(pattern, line):
                found.append((number, rule, line.strip()))
    return found


def scanned_files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in relative.parts or relative == THE_MODULE:
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_no_module_but_the_access_module_decides_access():
    found = [
        f"{path}:{number}: {rule}: {line}" for path, text in scanned_files() for number, rule, line in offences(text)
    ]
    assert found == [], "Access is decided outside assessments/access.py:\n" + "\n".join(found)


def test_the_scan_reads_the_apps_and_templates():
    paths = {str(path) for path, _text in scanned_files()}
    assert {
        "assessments/models.py",
        "measures/views/plan.py",
        "reports/bundle_views.py",
        "templates/includes/header.html",
    } <= paths
    assert str(THE_MODULE) not in paths


@pytest.mark.parametrize(
    "line",
    [
        'if role in ("admin", "editor"):',
        'can_edit = (can_review or role == "unit") and not entry.locked',
        "{% if role == 'editor' %}",
        "return user.is_superuser or Agency.objects.editable_by(user).exists()",
        "if request.user.is_superuser:",
        "own = Membership.objects.filter(user=user).values('agency')",
        "return self.filter(memberships__user=user, memberships__role__in=EDITOR_ROLES)",
        "roles = user.memberships.filter(agency=agency)",
        "overseen = something.filter(user=user, oversight=True)",
        "if Role.UNIT_STAFF in roles:",
        "staff_of = rows.filter(role=Role.UNIT_STAFF)",
        "if rights.standing == Standing.UNIT:",
        "any(role in EDITOR_ROLES for role in roles)",
        "under = Q(pk=organisation.pk) | Q(parent=organisation) | Q(parent__parent=organisation)",
    ],
)
def test_the_scan_finds_a_rule_written_outside(line):
    assert offences(line), line


@pytest.mark.parametrize(
    "line",
    [
        "user.is_superuser = user.is_staff = superuser",
        'list_display = ["user", "agency", "role", "oversight"]',
        'oversight = models.BooleanField(_("oversees agencies under this one"), default=False)',
        "EDITOR_ROLES = (Role.AGENCY_ADMIN, Role.OFFICER)",
        '.select_related("measure", "round", "unit")',
        'if "agency" in request.GET:',
        'access.grant(user, agency, role, oversight=code == "ANGTHONG-PROV")',
        'path("admin/", admin.site.urls),',
        '("officer", "เจ้าหน้าที่", False, Role.OFFICER, DEMO_AGENCIES),',
    ],
)
def test_the_scan_leaves_definitions_and_data_alone(line):
    assert offences(line) == []


# --- What each standing may do ------------------------------------------------------------------

# can_edit_results, can_edit_plan, can_review, can_report
MAY = {
    Standing.ADMIN: (True, True, True, True),
    Standing.EDITOR: (True, True, True, True),
    Standing.UNIT: (False, False, False, True),
    Standing.READER: (False, False, False, False),
    None: (False, False, False, False),
}


@pytest.mark.parametrize("standing", list(MAY))
def test_predicates_of_each_standing(standing):
    predicates = (access.can_edit_results, access.can_edit_plan, access.can_review, access.can_report)
    assert tuple(may(standing) for may in predicates) == MAY[standing]


def test_standings_are_the_words_they_were():
    assert Standing.values == ["admin", "editor", "unit", "reader"]
    assert Standing("editor") is Standing.EDITOR


@pytest.fixture
def cast(agency, other_agency, unit, officer, executive, unit_staff, outsider, superuser):
    """AG1 under the ministry MIN (overseen by `overseer`), with every kind of member of AG1;
    `removed` was unit staff of ส.บก. until their AG1 membership went (their unit row stays)."""
    ministry = factories.agency("MIN", agency_type="ministry")
    agency.parent = ministry
    agency.save()
    removed = factories.member("formerstaff", agency, "unit_staff")
    unit.members.add(removed)
    Membership.objects.filter(user=removed, agency=agency).delete()
    return {
        "superuser": superuser,
        "officer": officer,
        "agency_admin": factories.member("agencyadmin", agency, "agency_admin"),
        "unit_staff": unit_staff,
        "executive": executive,
        "overseer": factories.member("overseer", ministry, "executive", oversight=True),
        "outsider": outsider,
        "removed": removed,
        "anonymous": AnonymousUser(),
    }


STANDING_IN_AG1 = {
    "superuser": Standing.ADMIN,
    "officer": Standing.EDITOR,
    "agency_admin": Standing.EDITOR,
    "unit_staff": Standing.UNIT,
    "executive": Standing.READER,
    "overseer": Standing.READER,
    "outsider": None,
    "removed": None,
    "anonymous": None,
}


@pytest.mark.parametrize("who", list(STANDING_IN_AG1))
def test_standing_of_each_member_of_the_cast(cast, agency, who):
    assert access.standing_in(cast[who], agency) == STANDING_IN_AG1[who]


@pytest.mark.parametrize("who", list(STANDING_IN_AG1))
def test_agency_for_each_member_of_the_cast(cast, agency, who):
    expected = STANDING_IN_AG1[who]
    if expected is None:
        with pytest.raises(Http404):
            access.agency_for(cast[who], "AG1")
        return
    found, rights = access.agency_for(cast[who], "AG1")
    assert found == agency
    assert rights == Rights(expected, can_edit=expected in (Standing.ADMIN, Standing.EDITOR))


def test_an_unknown_code_and_a_hidden_one_look_alike(cast):
    for code in ("AG1", "NO-SUCH-AGENCY"):
        with pytest.raises(Http404):
            access.plan_for(cast["outsider"], code)


def test_menu_of_each_member_of_the_cast(cast):
    menu = {
        who: (access.has_oversight(user), access.edits_any_agency(user), access.has_units(user))
        for who, user in cast.items()
    }
    assert menu == {
        "superuser": (True, True, False),
        "officer": (False, True, False),
        "agency_admin": (False, True, False),
        "unit_staff": (False, False, True),
        "executive": (False, False, False),
        "overseer": (True, False, False),
        "outsider": (False, True, False),
        "removed": (False, False, False),  # still in the unit's member list, no longer counted
        "anonymous": (False, False, False),
    }


def test_a_removed_member_belongs_to_no_unit(cast, unit):
    assert list(Unit.objects.of_member(cast["unit_staff"])) == [unit]
    assert list(Unit.objects.of_member(cast["removed"])) == []
    assert set(unit.members.all()) >= {cast["removed"]}


def test_oversight_reaches_three_levels_down(db):
    ministry = factories.agency("MIN", agency_type="ministry")
    levels = [ministry]
    for depth in range(1, 5):
        levels.append(factories.agency(f"L{depth}", parent=levels[-1]))
    factories.agency("ASIDE")
    overseer = factories.member("overseer", ministry, "executive", oversight=True)
    member_only = factories.member("member", ministry, "executive")

    assert set(Agency.objects.visible_to(overseer).values_list("code", flat=True)) == {"MIN", "L1", "L2", "L3"}
    assert set(Agency.objects.visible_to(member_only).values_list("code", flat=True)) == {"MIN"}
    assert access.standing_in(overseer, levels[3]) == Standing.READER
    assert access.standing_in(overseer, levels[4]) is None
    root = factories.user("root", is_superuser=True)
    assert [a.code for a in access.bundle_agencies(ministry, root)] == ["L1", "L2", "L3", "MIN"]
    assert [a.code for a in access.bundle_agencies(levels[1], overseer)] == ["L1", "L2", "L3"]


@pytest.fixture
def plan(agency, unit, other_unit):
    """MINE led by ส.บก., THEIRS by กจ.; their Q1 entries."""
    mine = factories.measure(agency, 2569, "MINE", lead_unit=unit, items=["i1"])
    theirs = factories.measure(agency, 2569, "THEIRS", lead_unit=other_unit, items=["i1"])
    entries = {
        name: ProgressEntry.objects.get(measure=measure, round__kind="q1")
        for name, measure in (("MINE", mine), ("THEIRS", theirs))
    }
    return {"MINE": mine, "THEIRS": theirs}, entries


# (can_edit, can_review) on MINE's Q1 entry, and what each sees of THEIRS.
ON_ENTRIES = {
    "superuser": ((True, True), True),
    "officer": ((True, True), True),
    "agency_admin": ((True, True), True),
    "unit_staff": ((True, False), False),
    "executive": ((False, False), True),
    "overseer": ((False, False), True),
}


@pytest.mark.parametrize("who", list(STANDING_IN_AG1))
def test_measures_entries_and_evidence_for_each_member_of_the_cast(cast, plan, who):
    measures, entries = plan
    user = cast[who]
    everything = ProgressEntry.objects.select_related("measure__agency")
    if who not in ON_ENTRIES:
        for pk in (entries["MINE"].pk, entries["THEIRS"].pk):
            with pytest.raises(Http404):
                access.entry_for(user, everything, pk)
        with pytest.raises(Http404):
            access.measure_for(user, Measure.objects.all(), measures["MINE"].pk)
        return
    (can_edit, can_review), sees_theirs = ON_ENTRIES[who]
    entry, rights = access.entry_for(user, everything, entries["MINE"].pk)
    assert entry == entries["MINE"]
    assert (rights.standing, rights.can_edit, rights.can_review) == (STANDING_IN_AG1[who], can_edit, can_review)
    _measure, rights = access.measure_for(user, Measure.objects.select_related("agency"), measures["MINE"].pk)
    assert rights.can_edit == access.can_edit_plan(STANDING_IN_AG1[who])
    seen = set(ProgressEntry.objects.visible_to(user).values_list("measure__name", flat=True))
    assert seen == ({"MINE", "THEIRS"} if sees_theirs else {"MINE"})
    if not sees_theirs:
        with pytest.raises(Http404):
            access.entry_for(user, everything, entries["THEIRS"].pk)


def test_nobody_edits_an_approved_entry(cast, plan):
    _measures, entries = plan
    ProgressEntry.objects.filter(pk=entries["MINE"].pk).update(state=State.APPROVED)
    for who in ("superuser", "officer", "unit_staff"):
        _entry, rights = access.entry_for(cast[who], ProgressEntry.objects.all(), entries["MINE"].pk)
        assert not rights.can_edit, who
    _entry, rights = access.entry_for(cast["officer"], ProgressEntry.objects.all(), entries["MINE"].pk)
    assert rights.can_review  # the integrity office reopens it


def test_evidence_is_reached_through_its_entry_only(cast, plan):
    _measures, entries = plan
    item = Evidence.objects.create(
        entry=entries["MINE"],
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
        name="a.pdf",
        content_type="application/pdf",
        size=8,
    )
    found, rights = access.evidence_for(cast["unit_staff"], ProgressEntry.objects.all(), entries["MINE"].pk, item.pk)
    assert found == item and rights.can_edit
    with pytest.raises(Http404):  # the right file, through another entry
        access.evidence_for(cast["officer"], ProgressEntry.objects.all(), entries["THEIRS"].pk, item.pk)
    with pytest.raises(Http404):
        access.evidence_for(cast["outsider"], ProgressEntry.objects.all(), entries["MINE"].pk, item.pk)


def test_a_bundle_is_its_requester_s_while_they_edit_its_organisation(cast, agency):
    bundle = Bundle.objects.create(organisation=agency, fiscal_year=2569, requested_by=cast["officer"])
    bundle.agencies.set(access.bundle_agencies(agency, cast["officer"]))
    found, rights = access.bundle_for(cast["officer"], Bundle.objects.all(), bundle.pk)
    assert found == bundle and rights.standing == Standing.EDITOR
    for who in ("agency_admin", "superuser", "executive"):
        with pytest.raises(Http404):
            access.bundle_for(cast[who], Bundle.objects.all(), bundle.pk)
    Membership.objects.filter(user=cast["officer"]).update(role="executive")
    with pytest.raises(Http404):
        access.bundle_for(cast["officer"], Bundle.objects.all(), bundle.pk)
