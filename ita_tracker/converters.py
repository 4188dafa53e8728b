"""Path converters that match only what can be a real value, so that anything else (a null byte,
which PostgreSQL refuses; a code longer than its column; a round that does not exist) is a 404
before it reaches a view or the database. Registered once, on import by the apps' URL modules."""

from django.urls import register_converter

# An agency's code is in the address of its pages: TCEB, ANGTHONG-MUN. Agency.code validates
# against it too; it is defined here because this module, like the settings, imports no app.
AGENCY_CODE = r"[-A-Za-z0-9_]{1,32}"


class AgencyCode:
    regex = AGENCY_CODE

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class FiscalYear:
    """A Buddhist-Era year: four digits (2568). Views check the range they serve."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class RoundKind(AgencyCode):
    regex = "q[1-4]|6m|12m"  # measures.models.RoundKind


class ReviewAction(AgencyCode):
    regex = "submit|return|approve|reopen|withdraw"  # measures.models.Action


class ChecklistStep(AgencyCode):
    regex = "submit|return|approve|reopen"  # oit.models.Step


register_converter(AgencyCode, "agency_code")
register_converter(FiscalYear, "fiscal_year")
register_converter(RoundKind, "round_kind")
register_converter(ReviewAction, "review_action")
register_converter(ChecklistStep, "checklist_step")
