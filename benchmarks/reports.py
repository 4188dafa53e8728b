"""Time the official documents on the demo data: `python benchmarks/reports.py` (`--quick`: one
warm run each and no bundles, to check that it runs).

Prints benchmarks/documents.py's table (each document and format against its floor), then the
time of each demo organisation's year-end bundle as the worker builds it.
The target (issue: official-style reports) is under 3 s for an agency with 10 measures and 4 rounds.
It uses its own SQLite database and media folder under /tmp and changes nothing in the project's.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_tracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
SCRATCH = tempfile.mkdtemp()
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}/benchmark.sqlite3"
os.environ["MEDIA_ROOT"] = f"{SCRATCH}/media"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from assessments.access import bundle_agencies  # noqa: E402
from assessments.models import Agency  # noqa: E402
from benchmarks import documents  # noqa: E402
from reports.models import Bundle  # noqa: E402
from reports.tasks import build_bundle  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one warm run of each document and no bundles")
    quick = parser.parse_args().quick
    documents.print_rows(documents.document_rows(1 if quick else 5))
    if not quick:
        bundles()


def bundles():
    """Each demo organisation's bundle, built once as the worker runs it (cold: the first of its kind)."""
    admin = get_user_model().objects.get(username="admin")
    print(f"\n{'year-end bundle':28} {'files':>6} {'seconds':>8} {'s/file':>7} {'size KB':>8}")
    for code, year in (("PMO", 2566), ("MNRE", 2564), ("ANGTHONG-PROV", 2569)):
        organisation = Agency.objects.get(code=code)
        bundle = Bundle.objects.create(organisation=organisation, fiscal_year=year, requested_by=admin)
        bundle.agencies.set(bundle_agencies(organisation, admin))
        start = time.perf_counter()
        build_bundle.call(bundle.pk)
        seconds = time.perf_counter() - start
        bundle.refresh_from_db()
        per_file, size = seconds / bundle.done, bundle.file.size / 1024
        print(f"{code + ' ' + str(year):28} {bundle.done:6} {seconds:8.2f} {per_file:7.2f} {size:8.0f}")


if __name__ == "__main__":
    main()
