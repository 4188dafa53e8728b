"""Peers: the rank within the agency's type and under its parent agency, and the type's mean of
each indicator, on the analysis page and in the analysis document."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Agency, AgencyType, Assessment, FrameworkVersion, Score
from reports.analysis_document import analysis_document_for
from tests import factories

YEAR = 2564


def ten(first, rest="90.00"):
    """IND1 = first, IND2–IND10 = rest."""
    return {"IND1": first, **{f"IND{n}": rest for n in range(2, 11)}}


@pytest.fixture
def provinces(agency):
    """Four provinces of 2564 under one ministry's oversight line, and a department of another type."""
    interior = factories.agency("moi", "กระทรวงมหาดไทย", agency_type="ministry")
    agency.agency_type, agency.parent = AgencyType.objects.get(code="province"), interior
    agency.save()
    factories.summarised_assessment(agency, YEAR, {**ten("85.55"), "ITA": "88.00"})
    others = [
        ("trat", "จังหวัดตราด", "90.00", "91.00", interior),
        ("chanthaburi", "จังหวัดจันทบุรี", "80.01", "88.00", interior),
        ("rayong", "จังหวัดระยอง", None, "79.50", None),
    ]
    for code, name, first, overall, parent in others:
        figures = {**(ten(first) if first else {}), "ITA": overall}
        factories.summarised_assessment(factories.agency(code, name, "province", parent), YEAR, figures)
    department = factories.agency("dept", "กรมหนึ่ง", "department", interior)
    factories.summarised_assessment(department, YEAR, {**ten("10.00"), "ITA": "99.00"})
    return Assessment.objects.get(agency=agency, fiscal_year=YEAR)


def url(assessment):
    return f"/agencies/{assessment.agency.code}/{assessment.fiscal_year}/"


def test_ranks_and_type_means_on_the_analysis_page(client, officer, provinces):
    client.force_login(officer)
    peers = client.get(url(provinces)).context["peers"]

    # 88.00 ties with Chanthaburi behind Trat's 91.00; Rayong's 79.50 is last; the department is another type.
    assert (peers.in_type.place, peers.in_type.count) == (2, 4)
    # Under the ministry: Trat 91.00, this agency and Chanthaburi 88.00, the department 99.00.
    assert (peers.in_parent.place, peers.in_parent.count) == (3, 4)
    first = peers.indicators[0]
    # (85.55 + 90.00 + 80.01) / 3 = 85.1866… ; Rayong has no indicator scores.
    assert (first.number, first.own, first.mean, first.agencies) == (1, Decimal("85.55"), Decimal("85.19"), 3)
    assert first.difference == Decimal("0.36")
    assert [(i.number, i.mean) for i in peers.indicators[1:]] == [(n, Decimal("90.00")) for n in range(2, 11)]


def test_the_page_prints_the_panel_in_thai(client, officer, provinces):
    client.force_login(officer)
    html = client.get(url(provinces)).content.decode()

    assert "เทียบกับหน่วยงานประเภทเดียวกัน" in html
    assert "ลำดับที่ 2 จาก 4 หน่วยงานประเภทจังหวัด" in html
    assert "ลำดับที่ 3 จาก 4 หน่วยงานในสังกัดกระทรวงมหาดไทย" in html
    assert '<td class="num">85.19</td>' in html


def test_an_agency_alone_of_its_kind_sees_no_panel(client, officer, agency):
    factories.summarised_assessment(agency, YEAR, {**ten("85.55"), "ITA": "88.00"})
    factories.summarised_assessment(factories.agency("uni", "มหาวิทยาลัย", "university"), YEAR, {"ITA": "70.00"})
    client.force_login(officer)
    response = client.get(f"/agencies/{agency.code}/{YEAR}/")

    assert not response.context["peers"].shown
    assert "เทียบกับหน่วยงานประเภทเดียวกัน" not in response.content.decode()


def test_other_years_are_not_peers(client, officer, provinces):
    factories.summarised_assessment(Agency.objects.get(code="rayong"), YEAR + 1, {**ten("10.00"), "ITA": "99.99"})
    client.force_login(officer)
    peers = client.get(url(provinces)).context["peers"]

    assert (peers.in_type.place, peers.in_type.count) == (2, 4)
    assert peers.indicators[0].agencies == 3


def test_the_analysis_document_has_the_comparison_section(provinces):
    document = analysis_document_for(provinces)
    section = next(s for s in document.sections if s.heading == "การเปรียบเทียบกับหน่วยงานประเภทเดียวกัน")

    assert section.paragraphs == [
        "อยู่ในลำดับที่ 2 จาก 4 หน่วยงานประเภทจังหวัด",
        "อยู่ในลำดับที่ 3 จาก 4 หน่วยงานในสังกัดกระทรวงมหาดไทย",
    ]
    assert section.table.rows[0][1:] == [Decimal("85.55"), Decimal("85.19"), Decimal("0.36"), "3"]
    assert len(section.table.rows) == 10


def add_provinces(count, start):
    """`count` more provinces of 2564 with every indicator published, written in bulk."""
    version = FrameworkVersion.objects.for_year(YEAR)
    province = AgencyType.objects.get(code="province")
    agencies = Agency.objects.bulk_create(
        Agency(code=f"p{n}", name_th=f"จังหวัด {n}", agency_type=province) for n in range(start, start + count)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(agency=a, fiscal_year=YEAR, version=version, overall=Decimal("80.00")) for a in agencies
    )
    Score.objects.bulk_create(
        Score(assessment=a, code=f"IND{n}", score=Decimal("80.00")) for a in assessments for n in range(1, 11)
    )


def page_queries(client, assessment):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(assessment))
    assert response.status_code == 200
    return len(queries), response.context["peers"]


def test_the_panel_runs_the_same_queries_with_10_and_1000_agencies(client, officer, provinces):
    client.force_login(officer)
    add_provinces(6, 0)
    client.get(url(provinces))  # the session's first request writes what later ones do not
    ten_agencies, peers = page_queries(client, provinces)
    assert peers.in_type.count == 10

    add_provinces(990, 6)
    thousand, peers = page_queries(client, provinces)
    assert peers.in_type.count == 1000
    assert thousand == ten_agencies


def test_local_governments_are_ranked_among_those_of_their_size_class(client, db):
    municipalities = []
    for code, size, overall in [("m1", "M", "90.00"), ("m2", "M", "85.00"), ("m3", "L", "95.00"), ("m4", "", "99.00")]:
        agency = factories.agency(code, f"เทศบาลตำบล{code}", "subdistrict_municipality", size_class=size)
        municipalities.append(factories.summarised_assessment(agency, 2568, {"ITA": overall}))
    officer = factories.member("m2-officer", municipalities[1].agency, "officer")
    client.force_login(officer)
    response = client.get(url(municipalities[1]))

    peers = response.context["peers"]
    assert (peers.in_type.place, peers.in_type.count, peers.type_name) == (2, 2, "เทศบาลตำบล ขนาด M")
    assert "ลำดับที่ 2 จาก 2 หน่วยงานประเภทเทศบาลตำบล ขนาด M" in response.content.decode()
