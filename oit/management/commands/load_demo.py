"""`manage.py load_demo`: the demo agencies, their results, one user per role, their measures plans
and Ang Thong's OIT checklist.

It lives in oit, the lowest app that may import the results, the measures and the checklist."""

import csv
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments import access
from assessments.agency_import import AGENCY_COLUMNS, check_agencies, save_agencies
from assessments.importing import RESULT_COLUMNS, check_results, read_rows, save_results
from assessments.models import Agency, Assessment, Role
from measures import demo
from oit import demo as oit_demo

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_PASSWORD = "ita-demo-2568"
DEMO_AGENCIES = ("TCEB", "FIO", "ANGTHONG-MUN")

# username, first name, superuser, role, oversight of, member agencies
DEMO_USERS = [
    ("admin", "ผู้ดูแลระบบ", True, None, ()),
    ("officer", "เจ้าหน้าที่ศูนย์ปฏิบัติการต่อต้านการทุจริต", False, Role.OFFICER, DEMO_AGENCIES),
    ("unit", "เจ้าหน้าที่หน่วยงานย่อย", False, Role.UNIT_STAFF, ("TCEB", "ANGTHONG-MUN")),
    ("executive", "ผู้บริหาร", False, Role.EXECUTIVE, DEMO_AGENCIES),
    ("province", "สำนักงานจังหวัดอ่างทอง", False, Role.EXECUTIVE, ("ANGTHONG-PROV",)),
]


class Command(BaseCommand):
    help = "Load the demo agencies, their published results and one demo user per role (demo set-up only)."

    def handle(self, *args: str, **options: object) -> None:
        with transaction.atomic():
            self.load_agencies()
            self.load_results()
            self.load_assessment_settings()
            self.create_users()
            self.load_measures()
            self.load_checklist()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded. Users: {', '.join(u[0] for u in DEMO_USERS)}; password {DEMO_PASSWORD}"
            )
        )

    def read(self, name: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
        path = DEMO_DIR / name
        return read_rows(path.read_bytes(), path.name, columns)

    def load_agencies(self) -> None:
        agencies, problems = check_agencies(self.read("agencies.csv", AGENCY_COLUMNS))
        if problems:
            raise CommandError("\n".join(str(p) for p in problems))
        save_agencies(agencies)

    def load_results(self) -> None:
        figures, problems = check_results(self.read("results.csv", RESULT_COLUMNS))
        if problems:
            raise CommandError("\n".join(str(p) for p in problems))
        save_results(figures)

    def load_assessment_settings(self) -> None:
        """The NACC's suggestions and each agency's tier scheme, as their documents use them."""
        path = DEMO_DIR / "assessments.csv"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                Assessment.objects.filter(agency__code=row["agency"], fiscal_year=int(row["fiscal_year"])).update(
                    suggestions=row["suggestions"].strip(),
                    tier_scheme=row["tier_scheme"],
                    tier_target=row["tier_target"],
                    tier_lower=row["tier_lower"],
                    tier_upper=row["tier_upper"],
                )

    def load_measures(self) -> None:
        """Units, measures plans and progress in every review state (measures/demo.py)."""
        User = get_user_model()
        created = demo.load(officer=User.objects.get(username="officer"), unit_user=User.objects.get(username="unit"))
        for code, year in sorted(created):
            self.stdout.write(f"Measures plan {code} {year} loaded.")

    def load_checklist(self) -> None:
        """Ang Thong's OIT checklist of 2569 and its public page (oit/demo.py)."""
        User = get_user_model()
        oit_demo.load(officer=User.objects.get(username="officer"), unit_user=User.objects.get(username="unit"))
        self.stdout.write(
            f"OIT checklist {oit_demo.AGENCY} {oit_demo.YEAR} loaded: /p/{oit_demo.AGENCY}/{oit_demo.YEAR}/"
        )

    def create_users(self) -> None:
        User = get_user_model()
        for username, first_name, superuser, role, agencies in DEMO_USERS:
            user, _created = User.objects.get_or_create(username=username)
            user.first_name = first_name
            user.email = f"{username}@example.org"
            user.is_superuser = user.is_staff = superuser
            user.set_password(DEMO_PASSWORD)
            user.save()
            for code in agencies:
                access.grant(user, Agency.objects.get(code=code), role, oversight=code == "ANGTHONG-PROV")
