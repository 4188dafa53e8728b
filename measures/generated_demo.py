"""A synthetic national dataset (`manage.py generate_demo`): agencies of the NACC's types in a
ministry and province hierarchy, item-level results of each asked fiscal year by that year's
framework, sign-ins for each role, and measures plans with progress (`measures.generated_plans`).

Everything goes through the code paths real data takes: the agency list through
`agency_import.check_agencies / save_agencies`, the results through `importing.check_results /
save_results` as rows of a results file, so the headline figures, levels and ranks stored are
the importer's. The same arguments give the same data: one `random.Random(seed)` draws everything.
"""

import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from assessments import access
from assessments.agency_import import check_agencies, save_agencies
from assessments.importing import check_results, save_results
from assessments.models import Agency, FrameworkVersion, Role
from assessments.scoring import PART_NAMES
from assessments.text import interpolate
from measures import counts, generated_plans

DEFAULT_PASSWORD = "generated-2570"
FRAMEWORKS_FILE = Path(settings.BASE_DIR) / "fixtures" / "frameworks.yaml"

# How many agencies of each type the NACC assessed in 2568 (shared/ita/README.md: 8,317 agencies;
# sub-district administrations L 2,600, M 2,327, S 373; sub-district municipalities M 875, S 187;
# 84 universities), the rest from the country's counts of local governments (76 provinces and their
# provincial administrations, 30 city and 195 town municipalities, 2,247 sub-district
# municipalities). Ministries are here as the parents of their departments. 8,323 in all.
NATIONAL_COUNTS = [
    ("department", "", 146),
    ("ministry", "", 20),
    ("state_enterprise", "", 52),
    ("public_organisation", "", 55),
    ("university", "", 84),
    ("fund", "", 12),
    ("independent", "", 12),
    ("court", "", 3),
    ("public_prosecution", "", 1),
    ("parliamentary", "", 3),
    ("other", "", 9),
    ("province", "", 76),
    ("provincial_administration", "", 76),
    ("city_municipality", "", 30),
    ("town_municipality", "", 195),
    ("subdistrict_municipality", "L", 1185),
    ("subdistrict_municipality", "M", 875),
    ("subdistrict_municipality", "S", 187),
    ("subdistrict_administration", "L", 2600),
    ("subdistrict_administration", "M", 2327),
    ("subdistrict_administration", "S", 373),
    ("bangkok", "", 1),
    ("pattaya", "", 1),
]
NATIONAL_TOTAL = sum(count for _type, _size, count in NATIONAL_COUNTS)

# Types whose agencies sit under a ministry, and those under a province (the local governments).
UNDER_MINISTRY = {"department", "state_enterprise", "public_organisation", "university", "fund"}
UNDER_PROVINCE = {
    "provincial_administration",
    "city_municipality",
    "town_municipality",
    "subdistrict_municipality",
    "subdistrict_administration",
    "pattaya",
}

MINISTRIES = [
    "กระทรวงการคลัง",
    "กระทรวงมหาดไทย",
    "กระทรวงศึกษาธิการ",
    "กระทรวงสาธารณสุข",
    "กระทรวงเกษตรและสหกรณ์",
    "กระทรวงคมนาคม",
    "กระทรวงพาณิชย์",
    "กระทรวงอุตสาหกรรม",
    "กระทรวงแรงงาน",
    "กระทรวงยุติธรรม",
    "กระทรวงวัฒนธรรม",
    "กระทรวงพลังงาน",
    "กระทรวงกลาโหม",
    "กระทรวงการต่างประเทศ",
    "กระทรวงการท่องเที่ยวและกีฬา",
    "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม",
    "สำนักนายกรัฐมนตรี",
]
# Generated place names: two or three of these, as Thai places are named.
SYLLABLES = (
    "หนอง นา โพธิ์ บัว ทอง ศรี ดอน ห้วย ป่า แก้ว คำ ไผ่ ทุ่ง สระ บาง วัง น้ำ ใหม่ เจริญ ชัย สุข "
    "พัฒนา โคก บ่อ กุด ท่า หลวง เหนือ ใต้ ตะวัน สำโรง ยาง ขาม แสง สว่าง เขา ลาด หัว ปาก คลอง"
).split()
DEPARTMENT_WORDS = [
    ("ส่งเสริม", "พัฒนา", "ควบคุม", "ตรวจ", "บริหาร", "คุ้มครอง"),
    ("การเกษตร", "การค้า", "ทรัพยากรน้ำ", "ชุมชน", "วิทยาศาสตร์", "แรงงาน", "อุตสาหกรรม", "สุขภาพ", "การศึกษา"),
]
TYPE_NAMES = {
    "state_enterprise": "การ{place}แห่งประเทศไทย",
    "public_organisation": "สำนักงานพัฒนา{place} (องค์การมหาชน)",
    "university": "มหาวิทยาลัย{place}",
    "fund": "กองทุนพัฒนา{place}",
    "independent": "สำนักงานคณะกรรมการ{place}",
    "court": "สำนักงานศาล{place}",
    "public_prosecution": "สำนักงานอัยการสูงสุด",
    "parliamentary": "สำนักงานเลขาธิการ{place}",
    "other": "สำนักงาน{place}",
    "bangkok": "กรุงเทพมหานคร",
}
LOCAL_NAMES = {
    "provincial_administration": "องค์การบริหารส่วนจังหวัด{province}",
    "city_municipality": "เทศบาลนคร{place}",
    "town_municipality": "เทศบาลเมือง{place}",
    "subdistrict_municipality": "เทศบาลตำบล{place}",
    "subdistrict_administration": "องค์การบริหารส่วนตำบล{place}",
    "pattaya": "เมืองพัทยา",
}

# One agency in a hundred has no results for one of the years asked (not the latest).
MISSING_YEAR_SHARE = 0.01


class GenerationRefused(Exception):
    """The database is not one the generator may add to (message in Thai and English)."""


@dataclass
class SignIn:
    username: str
    first_name: str
    what: str


@dataclass
class Generated:
    """What a run made, for the command's summary."""

    agencies: int = 0
    figures: dict = field(default_factory=dict)  # {fiscal year: figures imported}
    timings: list = field(default_factory=list)  # [(step, seconds)]
    sign_ins: list = field(default_factory=list)
    plans: dict = field(default_factory=dict)  # {fiscal year: measures}
    entries: int = 0


def type_counts(total):
    """[(type code, size class, count)] for `total` agencies in the national proportions; with at
    least as many agencies as types, every type (and size class) has one, so that a small run still
    shows every kind of agency and its hierarchy."""
    rows = NATIONAL_COUNTS
    floor = 1 if total >= len(rows) else 0
    rest = total - floor * len(rows)
    weights = [count - floor for _t, _s, count in rows]
    shares = [rest * weight / sum(weights) for weight in weights]
    counts = [floor + math.floor(share) for share in shares]
    # Largest remainders first, ties to the earlier row: the counts add up to `total` exactly.
    by_remainder = sorted(range(len(rows)), key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    if total < len(rows):
        # Too few for every type: keep a ministry and a province, the parents of the others.
        counts = [0] * len(rows)
        order = [0, 11, 1, 18] + [i for i in range(len(rows)) if i not in (0, 11, 1, 18)]
        for i in range(total):
            counts[order[i % len(order)]] += 1
    return [(code, size, count) for (code, size, _n), count in zip(rows, counts, strict=True)]


def place_name(rng, used):
    """A Thai place name not used yet in this run."""
    for syllables in (2, 2, 3, 3, 4):
        name = "".join(rng.sample(SYLLABLES, syllables))
        if name not in used:
            used.add(name)
            return name
    name = f"{name}{len(used)}"
    used.add(name)
    return name


def agency_rows(total, rng):
    """The agency list as an administrator's file would hold it (the importer's columns), codes
    G00001…: departments first, ministry by ministry, so G00001 is the first ministry's first
    department; then the ministries, the other central agencies, and province by province the
    province and its local governments."""
    counts = {(code, size): count for code, size, count in type_counts(total)}
    used = set()
    ministries = MINISTRIES[: counts["ministry", ""]] + [
        f"กระทรวง{place_name(rng, used)}" for _n in range(max(0, counts["ministry", ""] - len(MINISTRIES)))
    ]
    provinces = [place_name(rng, used) for _n in range(counts["province", ""])]
    rows = []

    def add(type_code, name, parent="", size=""):
        rows.append(
            {
                "code": f"G{len(rows) + 1:05d}",
                "name_th": name,
                "short_name": "",
                "agency_type": type_code,
                "parent": parent,
                "size_class": size,
            }
        )
        return rows[-1]["code"]

    # Codes are given in this order; parents are named by their future code.
    ministry_codes = {}
    departments = counts["department", ""]
    first_code = 1 + departments
    for i in range(len(ministries)):
        ministry_codes[i] = f"G{first_code + i:05d}"
    for n in range(departments):
        ministry = n % len(ministries) if ministries else None
        words = f"{rng.choice(DEPARTMENT_WORDS[0])}{rng.choice(DEPARTMENT_WORDS[1])}"
        name = "สำนักงานปลัด" + ministries[ministry] if n < len(ministries) else f"กรม{words}{place_name(rng, used)}"
        add("department", name, ministry_codes.get(ministry, ""))
    for name in ministries:
        add("ministry", name)
    for type_code in ("state_enterprise", "public_organisation", "university", "fund"):
        for _n in range(counts[type_code, ""]):
            parent = ministry_codes[rng.randrange(len(ministries))] if ministries else ""
            add(type_code, TYPE_NAMES[type_code].format(place=place_name(rng, used)), parent)
    for type_code in ("independent", "court", "public_prosecution", "parliamentary", "other", "bangkok"):
        for _n in range(counts[type_code, ""]):
            add(type_code, TYPE_NAMES[type_code].format(place=place_name(rng, used)))
    locals_by_province = [[] for _p in provinces]
    for (type_code, size), count in counts.items():
        if type_code in UNDER_PROVINCE and provinces:
            for n in range(count):
                # The provincial administrations one a province; the others spread unevenly.
                p = n % len(provinces) if type_code == "provincial_administration" else rng.randrange(len(provinces))
                locals_by_province[p].append((type_code, size))
    for p, province in enumerate(provinces):
        code = add("province", f"จังหวัด{province}")
        for type_code, size in locals_by_province[p]:
            name = LOCAL_NAMES[type_code].format(place=place_name(rng, used), province=province)
            add(type_code, name if type_code == "provincial_administration" else f"{name} จังหวัด{province}", code, size)
    return rows


def score_values_by_version():
    """{version code: {item code: the scores an answer can give}} from the reference frameworks'
    file, where it records them (OIT items: 0/100 to 2565, 0/50/100 from 2568)."""
    if not FRAMEWORKS_FILE.exists():
        return {}
    data = yaml.safe_load(FRAMEWORKS_FILE.read_text(encoding="utf-8"))
    return {
        version["id"]: {
            item["code"]: item["score_values"] for item in version.get("items", []) if "score_values" in item
        }
        for version in data.get("versions", [])
    }


def clip(value):
    return min(100.0, max(0.0, value))


def agency_figures(agency, year, version, values, quality, rng):
    """Result rows of one agency's year: one per item (per part for EIT items scored in parts),
    by that year's framework. Survey items are means of many answers, near the agency's quality;
    checklist items (OIT) take one of their score values, the higher ones likelier for a better agency."""
    spec = version.spec
    rows = []
    tool_shift = {tool: rng.gauss(0, 3) for tool in spec.tool_indicators}
    for code, item in spec.items.items():
        tool = spec.indicators[item.indicator].tool
        choices = values.get(code)
        for part in (1, 2) if item.in_parts else (0,):
            if tool == "OIT" and choices:
                chance = 1 / (1 + math.exp(-(quality - 80) / 5))  # of the item's best value
                score = choices[-1] if rng.random() < chance else rng.choice(choices[:-1])
            else:
                survey = -4 if part == 2 else 0  # the outside survey is harsher than the public's view
                score = round(clip(rng.gauss(quality + tool_shift[tool] + survey, 4)), 2)
            rows.append(
                {
                    "agency": agency,
                    "fiscal_year": str(year),
                    "code": code,
                    "part": PART_NAMES.get(part, ""),
                    "score": f"{score:.2f}",
                }
            )
    return rows


def check_empty_database():
    """Refuse to add to a database that has agencies: the generator fills an empty one only."""
    if Agency.objects.exists():
        raise GenerationRefused(
            _(
                "The database already has agencies: generate_demo fills an empty database only and has changed "
                "nothing. Use a new database (e.g. DATABASE_URL=sqlite:////tmp/demo.sqlite3, then migrate and "
                "load_frameworks)."
            )
        )


def versions_for(years):
    """{year: its framework version}; refused when a year has none loaded."""
    versions = {year: FrameworkVersion.objects.for_year(year) for year in years}
    missing = [str(year) for year, version in versions.items() if version is None or not version.spec.items]
    if missing:
        raise GenerationRefused(
            interpolate(
                _(
                    "No framework with an item list covers fiscal year %(years)s: load the frameworks first "
                    "(manage.py load_frameworks) or choose other years. Nothing was generated."
                ),
                {"years": ", ".join(missing)},
            )
        )
    return versions


def import_agencies(rows):
    agencies, problems = check_agencies([(n, row) for n, row in enumerate(rows, start=2)])
    if problems:  # a bug of the generator, not of the user's input
        raise RuntimeError("; ".join(str(p) for p in problems[:5]))
    save_agencies(agencies, batch_size=5000)


# Agencies per check and save of results: a bounded share of the file in memory at once.
AGENCIES_PER_IMPORT = 1000
# Agencies whose plans and progress are drawn and written together.
AGENCIES_PER_PLAN_BATCH = 500
# Figures per transaction: the importer pauses between batches for other writers, which an empty
# database being built has none of.
FIGURES_PER_BATCH = 20000


def import_results(rows_of_agencies):
    """Check and save the result rows of some agencies, as one results file."""
    rows = [row for rows in rows_of_agencies for row in rows]
    figures, problems = check_results([(n, row) for n, row in enumerate(rows, start=2)])
    if problems:  # a bug of the generator, not of the user's input
        raise RuntimeError("; ".join(str(p) for p in problems[:5]))
    save_results(figures, batch_size=FIGURES_PER_BATCH)
    return len(figures)


SIGN_INS = [
    ("gen-admin", "ผู้ดูแลระบบ (ข้อมูลจำลอง)", "system administrator: every agency"),
    ("gen-ministry", "ผู้บริหารกระทรวง (ข้อมูลจำลอง)", "executive overseeing {ministry} and the agencies under it"),
    ("gen-province", "ผู้บริหารจังหวัด (ข้อมูลจำลอง)", "executive overseeing {province} and its local governments"),
    ("gen-officer", "เจ้าหน้าที่ศูนย์ปฏิบัติการต่อต้านการทุจริต (ข้อมูลจำลอง)", "integrity officer of {officer}"),
    ("gen-unit", "เจ้าหน้าที่หน่วยงานย่อย (ข้อมูลจำลอง)", "unit staff of {unit} of {officer}"),
]


def create_sign_ins(password, officer_agency, unit):
    """The sign-ins of each role, with their memberships as an administrator would grant them."""
    User = get_user_model()
    ministry = officer_agency.parent
    province = Agency.objects.filter(agency_type__code="province").order_by("code").first()
    users = {}
    for username, first_name, _what in SIGN_INS:
        user = User(username=username, first_name=first_name, email=f"{username}@example.org")
        user.is_superuser = user.is_staff = username == "gen-admin"
        user.set_password(password)
        user.save()
        users[username] = user
    if ministry:
        access.grant(users["gen-ministry"], ministry, Role.EXECUTIVE, oversight=True)
    if province:
        access.grant(users["gen-province"], province, Role.EXECUTIVE, oversight=True)
    access.grant(users["gen-officer"], officer_agency, Role.OFFICER)
    access.grant(users["gen-unit"], officer_agency, Role.UNIT_STAFF)
    unit.members.add(users["gen-unit"])
    names = {
        "ministry": f"{ministry.code} {ministry.name_th}" if ministry else "-",
        "province": f"{province.code} {province.name_th}" if province else "-",
        "officer": f"{officer_agency.code} {officer_agency.name_th}",
        "unit": unit.name,
    }
    return users, [SignIn(u, f, what.format(**names)) for u, f, what in SIGN_INS]


def generate(*, agencies, years, measures, seed, password=DEFAULT_PASSWORD, say=None):
    """Build the dataset into an empty database; returns what was made (`Generated`)."""
    say = say or (lambda text: None)
    check_empty_database()
    years = sorted(set(years))
    versions = versions_for(years)
    rng = random.Random(seed)
    made = Generated()

    started = time.perf_counter()
    rows = agency_rows(agencies, rng)
    import_agencies(rows)
    made.agencies = len(rows)
    made.timings.append(("agencies", time.perf_counter() - started))
    say(f"{len(rows)} agencies")

    codes = [row["code"] for row in rows]
    # An agency's quality is its own from year to year, with a national trend (2568's mean 93.82).
    base = {code: rng.gauss(0, 1) for code in codes}
    missing = {
        code: rng.choice(years[:-1]) for code in codes[1:] if len(years) > 1 and rng.random() < MISSING_YEAR_SHARE
    }
    values = score_values_by_version()
    latest = {}
    for year in years:
        started = time.perf_counter()
        version = versions[year]
        item_values = values.get(version.code, {})
        trend = 90 + (year - 2564) * 1.0
        made.figures[year] = 0
        # Drawn and imported a share of the agencies at a time, as several results files.
        for start in range(0, len(codes), AGENCIES_PER_IMPORT):
            per_agency = []
            for code in codes[start : start + AGENCIES_PER_IMPORT]:
                quality = min(99.5, trend + 4 * base[code] + rng.gauss(0, 2))
                figures = agency_figures(code, year, version, item_values, quality, rng)
                if missing.get(code) == year:
                    continue
                per_agency.append(figures)
                if year == years[-1]:
                    # What the plans read: each item's score (the mean of its parts).
                    latest[code] = [{"code": row["code"], "score": row["score"]} for row in figures]
            made.figures[year] += import_results(per_agency)
        made.timings.append((f"results {year}", time.perf_counter() - started))
        say(f"{made.figures[year]} figures of {year}")

    plan_year = years[-1] + 1
    started = time.perf_counter()
    agency_objects = list(Agency.objects.order_by("code"))
    units = generated_plans.create_units(agency_objects, rng)
    made.timings.append(("units", time.perf_counter() - started))
    officer_agency = agency_objects[0]
    users, made.sign_ins = create_sign_ins(password, officer_agency, units[officer_agency.pk][0])

    # A share of the agencies at a time, so that memory does not grow with the country.
    measure_seconds = progress_seconds = count_seconds = 0.0
    made.plans[plan_year] = 0
    version = versions[years[-1]]
    for start in range(0, len(agency_objects), AGENCIES_PER_PLAN_BATCH):
        chunk = agency_objects[start : start + AGENCIES_PER_PLAN_BATCH]
        started = time.perf_counter()
        plans = generated_plans.draw_plans(chunk, units, latest, version, plan_year, measures, rng)
        made.plans[plan_year] += generated_plans.write_plans_in_bulk(plans)
        measure_seconds += time.perf_counter() - started
        started = time.perf_counter()
        progress = generated_plans.draw_progress(
            plans, rng, officer=users["gen-officer"], officer_agency=officer_agency.pk, unit_user=users["gen-unit"]
        )
        made.entries += generated_plans.write_progress_in_bulk(plans, progress)
        progress_seconds += time.perf_counter() - started
        started = time.perf_counter()
        # Written in bulk, past the actions that keep the dashboard's counts: counted here instead.
        counts.refresh_progress(agency.pk for agency in chunk)
        count_seconds += time.perf_counter() - started
    made.timings += [
        (f"measures {plan_year}", measure_seconds),
        ("progress", progress_seconds),
        ("counts", count_seconds),
    ]
    say(f"{made.plans[plan_year]} measures of {plan_year}, {made.entries} progress entries")
    return made
