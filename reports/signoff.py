"""The agency's letterhead, signature blocks and the executive's acknowledgement on a document.

What prints, per agency, fiscal year and document (its kind, and a progress report's round):

- the letterhead, when the agency has a profile with its full name (`AgencyProfile`);
- the signature blocks, when someone configured them on the documents page (`SignOff`): each of
  "prepared by", "checked by" and "approved by" that is switched on, with the name and position
  typed there or, left blank, the people of the steps recorded in the app:
  prepared by = the integrity officer or administrator who last edited the year's entries (a
  progress report) or its measures, else the agency's first integrity officer; checked by = the
  last reviewer who approved a report of the round (progress reports only: nobody reviews a
  plan in the app); approved by = whoever acknowledged the document last;
- the newest acknowledgement of the document, unless its sign-off switches it off.

At most four queries, whatever the document: the profile, the sign-off, the acknowledgement and,
when a block takes its person from the app, one query for those people.
"""

from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, F, IntegerField, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments import access
from measures.models import Action, Measure, ProgressEntry, ReviewEvent
from reports.layout import Acknowledgement as PrintedAcknowledgement, Document, Letterhead, Signature
from reports.models import Acknowledgement, AgencyProfile, SignOff

PREPARED, CHECKED, APPROVED = "ผู้จัดทำ", "ผู้ตรวจสอบ", "ผู้อนุมัติ"

# The rounds whose reports a progress report covers: a quarter its own, the 6-month report the
# first half of the year, the 12-month report all of it.
ROUNDS_COVERED = {
    "q1": ["q1"],
    "q2": ["q2"],
    "q3": ["q3"],
    "q4": ["q4"],
    "6m": ["q1", "q2", "6m"],
    "12m": ["q1", "q2", "q3", "q4", "6m", "12m"],
}


def letterhead_of(profile: AgencyProfile | None) -> Letterhead | None:
    """The letterhead a profile prints; None when the agency has not given its full name."""
    if profile is None or not profile.full_name:
        return None
    return Letterhead(
        full_name=profile.full_name,
        address=profile.address,
        telephone=profile.telephone,
        website=profile.website,
        logo=bytes(profile.logo) if profile.logo else None,
        logo_type=profile.logo_type,
    )


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def person_position(user) -> str:
    preferences = getattr(user, "preferences", None)  # absent until the person saves My account
    return preferences.position if preferences is not None else ""


def _first(queryset, field):
    return Subquery(queryset.values(field)[:1])


def recorded_people(agency, fiscal_year: int, kind: str, round_kind: str = "") -> dict:
    """{"prepared": (user, date | None), "checked": (user, date)} from the steps recorded in the
    app, each left out when nobody took it; one query (uncorrelated subqueries on the users)."""
    editors = access.editors_of(agency)
    plan_edits = Measure.history.filter(agency_id=agency.pk, fiscal_year=fiscal_year, history_user__in=editors)
    plan_edits = plan_edits.order_by("-history_date", "-history_id")
    officers = access.officers_of(agency)
    prepared_user = [_first(plan_edits, "history_user"), _first(officers, "user")]
    prepared_at = [_first(plan_edits, "history_date")]
    checked_user, checked_at = Value(None, IntegerField()), Value(None, DateTimeField())
    if kind == "progress":
        rounds = ROUNDS_COVERED.get(round_kind, [round_kind])
        entry_edits = ProgressEntry.history.filter(
            round__agency=agency, round__fiscal_year=fiscal_year, round__kind__in=rounds, history_user__in=editors
        ).order_by("-history_date", "-history_id")
        # An officer's last edit of the reports themselves names who prepared the report.
        prepared_user.insert(0, _first(entry_edits, "history_user"))
        prepared_at.insert(0, _first(entry_edits, "history_date"))
        approvals = ReviewEvent.objects.filter(
            action=Action.APPROVE,
            user__isnull=False,
            entry__measure__agency=agency,
            entry__round__fiscal_year=fiscal_year,
            entry__round__kind__in=rounds,
        ).order_by("-created", "-pk")
        checked_user, checked_at = _first(approvals, "user"), _first(approvals, "created")
    people = (
        get_user_model()
        .objects.select_related("preferences")
        .annotate(
            prepared_id=Coalesce(*prepared_user, output_field=IntegerField()),
            prepared_at=Coalesce(*prepared_at, Value(None), output_field=DateTimeField()),
            checked_id=checked_user,
            checked_at=checked_at,
        )
        .filter(Q(pk=F("prepared_id")) | Q(pk=F("checked_id")))
    )
    found = {}
    for user in people:
        if user.pk == user.prepared_id:
            found["prepared"] = (user, local_date(user.prepared_at))
        if user.pk == user.checked_id:
            found["checked"] = (user, local_date(user.checked_at))
    return found


def local_date(moment):
    return timezone.localdate(moment) if moment is not None else None


def signature(role: str, typed_name: str, typed_position: str, recorded) -> Signature:
    """A block with the name typed on the documents page (its date left to fill by hand), or the
    person of the recorded step with its date; blank lines to sign by hand when neither."""
    if typed_name:
        return Signature(role, typed_name, typed_position)
    if recorded is None:
        return Signature(role, "", typed_position)
    user, date = recorded
    return Signature(role, person_name(user), typed_position or person_position(user), date)


def signatures_of(sign_off_row: SignOff, acknowledgement: Acknowledgement | None, recorded: dict) -> list:
    blocks = []
    if sign_off_row.prepared:
        blocks.append(
            signature(PREPARED, sign_off_row.prepared_name, sign_off_row.prepared_position, recorded.get("prepared"))
        )
    if sign_off_row.checked:
        blocks.append(
            signature(CHECKED, sign_off_row.checked_name, sign_off_row.checked_position, recorded.get("checked"))
        )
    if sign_off_row.approved:
        if sign_off_row.approved_name or acknowledgement is None:
            blocks.append(Signature(APPROVED, sign_off_row.approved_name, sign_off_row.approved_position))
        else:
            blocks.append(
                Signature(
                    APPROVED,
                    acknowledgement.name,
                    sign_off_row.approved_position or acknowledgement.position,
                    acknowledgement.acknowledged_on,
                )
            )
    return blocks


def needs_recorded_people(sign_off_row: SignOff) -> bool:
    return (sign_off_row.prepared and not sign_off_row.prepared_name) or (
        sign_off_row.checked and not sign_off_row.checked_name
    )


def sign_off(document: Document, agency, fiscal_year: int, kind: str, round_kind: str = "") -> Document:
    """The document with what the agency configured for documents of `kind` ("analysis", "plan",
    "improvement", "progress", "combined") of `fiscal_year`: its letterhead, signature blocks and
    acknowledgement (see the module's docstring)."""
    document.letterhead = letterhead_of(AgencyProfile.objects.filter(agency=agency).first())
    sign_off_row = SignOff.objects.filter(
        agency=agency, fiscal_year=fiscal_year, kind=kind, round_kind=round_kind
    ).first()
    acknowledgement = Acknowledgement.objects.of_document(agency, fiscal_year, kind, round_kind).first()
    if sign_off_row is not None:
        recorded = recorded_people(agency, fiscal_year, kind, round_kind) if needs_recorded_people(sign_off_row) else {}
        document.signatures = signatures_of(sign_off_row, acknowledgement, recorded)
    if acknowledgement is not None and (sign_off_row is None or sign_off_row.acknowledgement):
        document.acknowledgement = PrintedAcknowledgement(
            name=acknowledgement.name,
            position=acknowledgement.position,
            date=acknowledgement.acknowledged_on,
            text=acknowledgement.text,
        )
    return document
