"""Ang Thong municipality's OIT checklist of 2569 for the demo: items in every status, assigned to
its units with due dates, links on its website, one item returned with the office's comment and
the public ITA page published. The links point at an example address: the demo must not send a
visitor to a real agency's site."""

import datetime

from django.utils import timezone

from assessments.models import Agency
from measures.models import Unit
from oit.actions import do_step
from oit.checklist import o_items, version_for
from oit.models import ChecklistEvidence, ChecklistItem, PublicPage, Status, Step

AGENCY, YEAR = "ANGTHONG-MUN", 2569
SITE = "https://www.angthong-demo.example"
PUBLIC_UNIT = "งานประชาสัมพันธ์"
# item code: (unit, links, where it stands)
ITEMS = {
    "o1": (PUBLIC_UNIT, ["โครงสร้างองค์กร", "อำนาจหน้าที่ตามกฎหมาย"], Status.APPROVED),
    "o2": (PUBLIC_UNIT, ["ข้อมูลผู้บริหารเทศบาล"], Status.APPROVED),
    "o3": ("งานวิเคราะห์นโยบายและแผน", ["แผนพัฒนาท้องถิ่น พ.ศ. 2566–2570"], Status.APPROVED),
    "o4": (PUBLIC_UNIT, ["ช่องทางการติดต่อ"], Status.APPROVED),
    "o5": (PUBLIC_UNIT, ["ข่าวประชาสัมพันธ์"], Status.READY),
    "o6": ("งานวิเคราะห์นโยบายและแผน", ["แผนการดำเนินงานประจำปี 2569"], Status.IN_PROGRESS),
    "o12": ("งานพัสดุและทรัพย์สิน", ["แผนการจัดซื้อจัดจ้าง ปี 2569"], Status.APPROVED),
    "o13": ("งานพัสดุและทรัพย์สิน", [], Status.NOT_STARTED),
    "o16": ("งานการเจ้าหน้าที่", ["นโยบายการบริหารทรัพยากรบุคคล"], Status.IN_PROGRESS),
    "o21": ("หน่วยตรวจสอบภายใน", ["ประกาศเจตนารมณ์ No Gift Policy"], Status.APPROVED),
}
RETURNED = ("o6", "แผนที่แนบเป็นฉบับปี 2568 โปรดแนบแผนการดำเนินงานประจำปี 2569")


def load(*, officer, unit_user):
    """The checklist and its public page; nothing when it is loaded already."""
    agency = Agency.objects.get(code=AGENCY)
    if ChecklistItem.objects.filter(agency=agency, fiscal_year=YEAR).exists():
        return
    items = {item.code: item for item in o_items(version_for(agency, YEAR))}
    units = {unit.name: unit for unit in Unit.objects.filter(agency=agency)}
    due = datetime.date(2027, 3, 31)
    for code, (unit, links, status) in ITEMS.items():
        row = ChecklistItem.objects.create(
            agency=agency, fiscal_year=YEAR, item=items[code], unit=units[unit], due_date=due, status=Status.NOT_STARTED
        )
        for order, label in enumerate(links):
            ChecklistEvidence.objects.create(
                checklist_item=row, label=label, url=f"{SITE}/ita/{YEAR}/{code}/{order + 1}", order=order
            )
        if links:
            ChecklistItem.objects.filter(pk=row.pk).update(status=Status.IN_PROGRESS)
        steps = {Status.READY: [Step.SUBMIT], Status.APPROVED: [Step.SUBMIT, Step.APPROVE]}.get(status, [])
        if code == RETURNED[0]:
            steps = [Step.SUBMIT, Step.RETURN]
        for step in steps:
            row.refresh_from_db()
            do_step(
                agency=agency,
                year=YEAR,
                item=items[code],
                step=step,
                user=unit_user
                if step == Step.SUBMIT and row.unit.members.filter(pk=unit_user.pk).exists()
                else officer,
                revision=row.revision,
                comment=RETURNED[1] if step == Step.RETURN else "",
            )
    # One item past its due date, for the dashboard's overdue list.
    ChecklistItem.objects.filter(agency=agency, fiscal_year=YEAR, item__code="o13").update(
        due_date=datetime.date(2026, 11, 30)
    )
    PublicPage.objects.create(agency=agency, fiscal_year=YEAR, published=timezone.now(), frame_ancestors=SITE)
