"""Small builders for test data; the reference frameworks are loaded once in conftest."""

import csv
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import Workbook

from assessments.models import Agency, AgencyType, Assessment, FrameworkVersion, Membership, Score
from measures.actions import sync_entries
from measures.models import Measure, Unit

PASSWORD = "test-pass-2568"


# A 1×1 PNG, as the profile page keeps an agency's logo (re-encoded as PNG).
LOGO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"
)


def agency(code, name_th=None, agency_type="department", parent=None, size_class=""):
    """An agency; `agency_type` is the code of one of the NACC's types the migration creates."""
    return Agency.objects.create(
        code=code,
        name_th=name_th or f"หน่วยงาน {code}",
        short_name=code,
        agency_type=AgencyType.objects.get(code=agency_type),
        size_class=size_class,
        parent=parent,
    )


def user(username, **extra):
    account = get_user_model().objects.create_user(username, password=PASSWORD, **extra)
    return account


def member(username, agency, role, oversight=False):
    account = user(username)
    Membership.objects.create(user=account, agency=agency, role=role, oversight=oversight)
    return account


def assessment(agency, fiscal_year, figures=None, suggestions=""):
    """An assessment with official figures given as {code: score} or {(code, part): score}."""
    result = Assessment.objects.create(
        agency=agency,
        fiscal_year=fiscal_year,
        version=FrameworkVersion.objects.for_year(fiscal_year),
        suggestions=suggestions,
    )
    for key, score in (figures or {}).items():
        code, part = key if isinstance(key, tuple) else (key, 0)
        Score.objects.create(assessment=result, code=code, part=part, score=Decimal(str(score)))
    return result


def summarised_assessment(agency, fiscal_year, figures=None, **extra):
    """An assessment as `assessment` builds it, with its stored headline figures refreshed as imports do."""
    result = assessment(agency, fiscal_year, figures, **extra)
    result.refresh_summary()
    return result


def csv_bytes(rows, header=("agency", "fiscal_year", "code", "part", "score")):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def import_command(command, tmp_path, rows, header):
    """Run an import command (import_results, import_agencies) on a CSV of `rows` written under
    tmp_path, as an administrator would; return what it printed."""
    path = tmp_path / f"{command}.csv"
    path.write_bytes(csv_bytes(rows, header))
    out = io.StringIO()
    call_command(command, str(path), stdout=out)
    return out.getvalue()


def xlsx_bytes(rows, header=("agency", "fiscal_year", "code", "part", "score")):
    """A one-sheet workbook as Excel saves it: numbers stay numbers, empty cells are None."""

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def unit(agency, name, abbreviation="", members=()):
    created = Unit.objects.create(agency=agency, name=name, abbreviation=abbreviation)
    created.members.set(members)
    return created


def measure(agency, fiscal_year, name="มาตรการทดสอบ", lead_unit=None, supporting=(), items=(), **fields):
    """A measure with its entries for every active round and responsible unit."""

    created = Measure.objects.create(agency=agency, fiscal_year=fiscal_year, name=name, lead_unit=lead_unit, **fields)
    created.supporting_units.set(supporting)
    version = FrameworkVersion.objects.for_year(fiscal_year - 1)
    created.items.set(version.items.filter(code__in=items))
    created.indicators.set(version.indicators.filter(number__in={i.indicator.number for i in created.items.all()}))
    sync_entries(measure=created)
    return created
