"""Agency lists as an administrator imports them (`import_agencies`): checked whole, then written
in short transactions, parents before the agencies under them."""

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assessments.importing import Problem
from assessments.models import AGENCY_CODE, Agency, AgencyType, Assessment, SizeClass, size_class_not_local, type_key
from assessments.text import interpolate
from ita_tracker.database import let_others_write, lock_table

AGENCY_COLUMNS = ("code", "name_th", "short_name", "agency_type", "parent", "size_class")
# Agencies per transaction, as importing.RESULTS_BATCH for figures.
AGENCIES_BATCH = 500


def agency_type_from(text, types):
    """The agency type named by `text` (code, Thai or English name, or short form), from
    `AgencyType.objects.by_name()`; an unknown name is refused with the names accepted."""
    agency_type = types.get(type_key(text))
    if agency_type is None:
        raise ValueError(
            interpolate(
                _("unknown agency type '%(type)s'; use one of: %(names)s (or the type's English name or code)"),
                {"type": text.strip(), "names": accepted_type_names(types)},
            )
        )
    return agency_type


def accepted_type_names(types):
    """The types' Thai names in the NACC's order, each with its Thai short forms: "เทศบาลตำบล (ทต.)"."""
    names = []
    for agency_type in sorted(set(types.values()), key=lambda t: (t.order, t.name_th)):
        thai_forms = [form for form in agency_type.short_forms() if re.search("[\u0e00-\u0e7f]", form)]
        names.append(f"{agency_type.name_th} ({', '.join(thai_forms)})" if thai_forms else agency_type.name_th)
    return ", ".join(names)


# The size classes as documents write them besides the letters.
SIZE_WORDS = {
    "ใหญ่": "L",
    "ขนาดใหญ่": "L",
    "large": "L",
    "กลาง": "M",
    "ขนาดกลาง": "M",
    "medium": "M",
    "เล็ก": "S",
    "ขนาดเล็ก": "S",
    "small": "S",
}


def size_class_from(text, agency_type):
    """The size class (L, M, S or blank) of an agency of `agency_type`; only local governments have one."""
    word = "".join(text.split()).casefold()
    size_class = SIZE_WORDS.get(word, word.upper())
    if size_class and size_class not in SizeClass.values:
        raise ValueError(
            interpolate(
                _("unknown size class '%(size)s'; use L, M or S (ใหญ่, กลาง, เล็ก), or leave it empty"),
                {"size": text.strip()},
            )
        )
    if size_class and not agency_type.is_local_government:
        raise ValueError(size_class_not_local(agency_type))
    return size_class


def check_agencies(rows):
    """Check agency rows; return (agency dicts, problems). A parent may be any row of the file or an existing agency."""
    parents = dict(Agency.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    known = set(Agency.objects.values_list("code", flat=True))
    types = AgencyType.objects.by_name()  # read once, not once a row
    for _number, cells in rows:
        code, parent = cells.get("code", "").strip(), cells.get("parent", "").strip()
        if code:
            known.add(code)
            parents[code] = parent
    in_file, agencies, problems = {}, [], []
    for number, cells in rows:
        try:
            code = cells.get("code", "").strip()
            if not code:
                raise ValueError(_("the agency code is empty"))
            if not re.fullmatch(AGENCY_CODE, code):
                raise ValueError(
                    interpolate(
                        _("agency code '%(code)s' must be at most 32 letters a–z, digits, '-' or '_'"), {"code": code}
                    )
                )
            if code in in_file:
                raise ValueError(interpolate(_("duplicate of row %(row)s"), {"row": in_file[code]}))
            if not cells.get("name_th", "").strip():
                raise ValueError(_("the Thai name is empty"))
            agency_type = agency_type_from(cells.get("agency_type", ""), types)
            # Without the column, a saved agency keeps its size class (unless its new type has none).
            size_class = size_class_from(cells["size_class"], agency_type) if "size_class" in cells else None
            parent = cells.get("parent", "").strip()
            if parent and parent not in known:
                raise ValueError(interpolate(_("unknown parent agency '%(parent)s'"), {"parent": parent}))
            if in_cycle(code, parents):
                raise ValueError(_("an agency cannot be above itself in the line of parents"))
        except ValueError as exc:
            problems.append(Problem(number, exc.args[0]))
            continue
        in_file[code] = number
        agencies.append(
            {
                "code": code,
                "name_th": cells["name_th"].strip(),
                "short_name": cells.get("short_name", "").strip(),
                "agency_type": agency_type,
                "size_class": size_class,
                "parent": parent,
            }
        )
    return agencies, problems


def in_cycle(code, parents):
    seen = set()
    while code and code not in seen:
        seen.add(code)
        code = parents.get(code)
    return bool(code)


def save_agencies(agencies, *, batch_size=AGENCIES_BATCH, progress=None):
    """Write checked agencies, parents before the agencies under them, in short transactions as
    `save_results` does (and as safe to repeat); return counts of created, updated and unchanged
    agencies. An empty parent in the file leaves a saved agency's parent as it is."""
    ordered = parents_first(agencies)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(ordered), batch_size):
        for key, count in save_agencies_batch(ordered[start : start + batch_size]).items():
            counts[key] += count
        if progress:
            progress(min(start + batch_size, len(ordered)))
        let_others_write()
    if counts["updated"]:
        # A new type or size class moves an agency to other ranks within type: once, for every year.
        Assessment.objects.all().refresh_ranks()
    return counts


def parents_first(agencies):
    """The agencies ordered so that a parent named in the file comes before its children (the
    file has no cycles: `check_agencies` refuses them)."""
    parents = {a["code"]: a["parent"] for a in agencies}

    def depth(code):
        level = 0
        while parents.get(code):
            code = parents[code]
            level += 1
        return level

    return sorted(agencies, key=lambda a: depth(a["code"]))


@transaction.atomic
def save_agencies_batch(agencies):
    # Another agency import waits here until this batch commits, then finds these agencies saved.
    lock_table(Agency)
    codes = {a["code"] for a in agencies} | {a["parent"] for a in agencies if a["parent"]}
    saved = {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for data in agencies:
        values = {key: data[key] for key in ("name_th", "short_name")}
        values["agency_type_id"] = data["agency_type"].pk
        if data["parent"]:
            values["parent_id"] = saved[data["parent"]].pk
        agency = saved.get(data["code"])
        if data["size_class"] is not None or agency is None or not data["agency_type"].is_local_government:
            values["size_class"] = data["size_class"] or ""
        if agency is None:
            saved[data["code"]] = Agency.objects.create(code=data["code"], **values)
            counts["created"] += 1
        elif any(getattr(agency, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(agency, key, value)
            agency.save(update_fields=list(values))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts
