"""`manage.py generate_demo`: the synthetic national dataset, built small (30 agencies)."""

import datetime
import io
import random
from collections import Counter

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from assessments.models import Agency, Assessment, FrameworkVersion, Score
from measures import generated_plans
from measures.counts import refresh_all
from measures.generated_demo import type_counts
from measures.models import (
    Activity,
    Measure,
    PlanSummary,
    ProgressEntry,
    ReportingRound,
    ReviewEvent,
    State,
    Unit,
    UnitRoundCount,
)
from tests import clock
from tests.conftest import FAST_PASSWORD_HASHERS

MOMENT = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=clock.BANGKOK)
pytestmark = clock.pinned(2026, 12, 3)
SMALL = ["--agencies", "30", "--years", "2568,2569", "--measures", "3", "--seed", "1"]


def generate(*args):
    out = io.StringIO()
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        call_command("generate_demo", *args, stdout=out)
    return out.getvalue()


def score_rows():
    return list(
        Score.objects.order_by("assessment__agency__code", "assessment__fiscal_year", "code", "part").values_list(
            "assessment__agency__code", "assessment__fiscal_year", "code", "part", "score"
        )
    )


def measure_texts():
    return list(
        Measure.objects.order_by("agency__code", "fiscal_year", "order").values_list(
            "agency__code", "order", "name", "analysis", "steps", "lead_unit__name"
        )
    )


def test_the_same_arguments_give_the_same_data(db):
    runs = []
    for _run in range(2):
        with transaction.atomic():  # each run into an empty database, undone after it
            generate(*SMALL)
            entries = list(
                ProgressEntry.objects.order_by(
                    "measure__agency__code", "measure__order", "round__kind", "unit__name"
                ).values_list("state", "percent", "result")
            )
            runs.append((score_rows(), measure_texts(), entries))
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == 30 * 2 * 61  # 2568 and 2569: 15 i, 9 e in two parts, 28 o items
    assert len(runs[0][1]) == 30 * 3


def test_another_seed_gives_other_data(db):
    with transaction.atomic():
        generate(*SMALL)
        first = score_rows()
        transaction.set_rollback(True)
    generate(*SMALL[:-1], "2")
    assert score_rows() != first


def test_a_database_with_agencies_is_refused_and_left_as_it_is(db):
    Agency.objects.create(code="OWN", name_th="หน่วยงานเดิม", agency_type_id=1)

    with pytest.raises(CommandError, match="ฐานข้อมูลมีหน่วยงานอยู่แล้ว") as refused:
        generate(*SMALL)

    assert "fills an empty database only" in str(refused.value)
    assert list(Agency.objects.values_list("code", flat=True)) == ["OWN"]
    assert not get_user_model().objects.filter(username__startswith="gen-").exists()


def test_a_year_without_a_framework_is_refused(db):
    with pytest.raises(CommandError, match="2571"):
        generate("--agencies", "30", "--years", "2569,2571", "--measures", "3")
    assert not Agency.objects.exists()


def test_bad_years_are_refused_with_what_is_accepted(db):
    with pytest.raises(CommandError, match="separated by commas"):
        generate("--agencies", "30", "--years", "2568;2569")


def test_small_numbers_of_agencies_keep_a_ministry_and_a_province():
    assert type_counts(2) == [
        (code, size, 1 if code in ("department", "province") else 0) for code, size, _n in type_counts(30)
    ]
    assert sum(count for *_key, count in type_counts(8323)) == 8323
    assert dict(((c, s), n) for c, s, n in type_counts(8323))["subdistrict_administration", "L"] == 2600


@pytest.fixture(scope="class")
def small(django_db_setup, django_db_blocker):
    """The small dataset, generated once for the class in a transaction rolled back after it."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            with time_machine.travel(MOMENT, tick=False):
                output = generate(*SMALL)
        except BaseException:
            outer.__exit__(None, None, None)
            raise
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def dataset(small, db):
    return small


class TestSmallDataset:
    def test_agencies_of_every_type_in_the_national_proportions(self, dataset):
        counts = Counter(Agency.objects.values_list("agency_type__code", "size_class"))
        expected = {(code, size): 1 for code, size, _n in type_counts(30)}
        expected |= {
            ("subdistrict_municipality", "L"): 2,
            ("subdistrict_municipality", "M"): 2,
            ("subdistrict_administration", "L"): 3,
            ("subdistrict_administration", "M"): 3,
            ("subdistrict_administration", "S"): 2,
        }
        assert counts == expected
        assert Agency.objects.get(code="G00001").name_th == "สำนักงานปลัดกระทรวงการคลัง"
        assert Agency.objects.get(code="G00030").name_th.startswith("เมืองพัทยา")

    def test_departments_under_ministries_and_local_governments_under_provinces(self, dataset):
        for agency in Agency.objects.select_related("agency_type", "parent__agency_type"):
            code = agency.agency_type.code
            parent = agency.parent.agency_type.code if agency.parent else None
            if code in ("department", "state_enterprise", "public_organisation", "university", "fund"):
                assert parent == "ministry", agency.code
            elif agency.agency_type.is_local_government and code != "bangkok":
                assert parent == "province", agency.code
                assert agency.name_th.endswith(agency.parent.name_th), agency.code
            else:
                assert parent is None, agency.code

    def test_each_year_has_the_items_of_that_years_framework(self, dataset):
        for year in (2568, 2569):
            spec = FrameworkVersion.objects.for_year(year).spec
            expected = sorted(
                (code, part) for code, item in spec.items.items() for part in ((1, 2) if item.in_parts else (0,))
            )
            assessments = Assessment.objects.filter(fiscal_year=year).prefetch_related("scores")
            assert assessments.count() == 30
            for assessment in assessments:
                assert sorted((s.code, s.part) for s in assessment.scores.all()) == expected

    def test_checklist_items_score_as_the_framework_says(self, dataset):
        oit = set(Score.objects.filter(code__startswith="o").values_list("score", flat=True))
        assert {str(score) for score in oit} == {"0.00", "50.00", "100.00"}
        surveys = Score.objects.filter(code__startswith="i").values_list("score", flat=True)
        assert len(set(surveys)) > 100  # means of many answers, not a few values

    def test_headline_figures_levels_and_ranks_are_the_importers(self, dataset):
        specs = FrameworkVersion.objects.specs()
        for assessment in Assessment.objects.prefetch_related("scores"):
            result = assessment.result(specs[assessment.version_id])
            assert assessment.overall == result.shown("ITA")
            assert (assessment.iit, assessment.eit, assessment.oit) == tuple(
                result.shown(t) for t in ("IIT", "EIT", "OIT")
            )
            assert assessment.level == result.level.name
        first = Assessment.objects.get(agency__code="G00001", fiscal_year=2569)
        assert (str(first.overall), first.level, first.rank_in_type) == ("96.28", "ผ่านดี", 1)
        # The three L sub-district administrations are ranked among themselves.
        ranks = Assessment.objects.filter(
            fiscal_year=2569, agency__agency_type__code="subdistrict_administration", agency__size_class="L"
        ).values_list("rank_in_type", flat=True)
        assert sorted(ranks) == [1, 2, 3]

    def test_plans_for_the_year_after_the_results_with_four_rounds_in_every_review_state(self, dataset):
        assert set(Measure.objects.values_list("fiscal_year", flat=True)) == {2570}
        assert Counter(Measure.objects.values_list("agency__code", flat=True)) == {
            code: 3 for code in Agency.objects.values_list("code", flat=True)
        }
        measure = Measure.objects.get(agency__code="G00001", order=1)
        assert [item.version.first_year for item in measure.items.all()] == [2568]  # the 2569 results' framework
        states = set(ProgressEntry.objects.values_list("round__kind", "state"))
        assert states == {(kind, state) for kind in ("q1", "q2", "q3", "q4") for state in State.values}
        assert (
            ReviewEvent.objects.filter(action="return").exclude(comment="").count()
            == ReviewEvent.objects.filter(action="return").count()
        )

    def test_sign_ins_see_what_they_should(self, dataset, client):
        users = {user.username: user for user in get_user_model().objects.filter(username__startswith="gen-")}
        assert set(users) == {"gen-admin", "gen-ministry", "gen-province", "gen-officer", "gen-unit"}
        assert users["gen-admin"].is_superuser and users["gen-admin"].check_password("generated-2570")

        def visible(name):
            return set(Agency.objects.visible_to(users[name]).values_list("code", flat=True))

        province = Agency.objects.get(agency_type__code="province")
        assert visible("gen-province") == {province.code} | set(province.children.values_list("code", flat=True))
        assert len(visible("gen-province")) == 18
        ministry = Agency.objects.get(code="G00001").parent
        assert visible("gen-ministry") == {ministry.code} | set(ministry.children.values_list("code", flat=True))
        assert visible("gen-officer") == visible("gen-unit") == {"G00001"}
        assert len(visible("gen-admin")) == 30
        assert set(Agency.objects.editable_by(users["gen-officer"]).values_list("code", flat=True)) == {"G00001"}
        unit = Unit.objects.get(members=users["gen-unit"])
        seen = Measure.objects.visible_to(users["gen-unit"])
        assert seen.exists()
        assert all(m.lead_unit == unit or unit in m.supporting_units.all() for m in seen)

        client.force_login(users["gen-province"])
        assert client.get(f"/agencies/{province.code}/2569/").status_code == 200
        assert client.get(f"/agencies/{ministry.code}/2569/").status_code == 404

    def test_the_summary_names_the_sign_ins_and_times_each_step(self, dataset):
        for text in (
            "gen-admin",
            "gen-ministry",
            "gen-province",
            "gen-officer",
            "gen-unit",
            "results 2569",
            "progress",
        ):
            assert text in dataset
        assert "Generated 30 agencies, 3,660 result figures, 90 measures for 2570" in dataset

    def test_bulk_writes_the_rows_the_actions_write(self, dataset):
        agency = Agency.objects.get(code="G00001")
        officer = get_user_model().objects.get(username="gen-officer")
        unit_user = get_user_model().objects.get(username="gen-unit")
        units = {agency.pk: list(agency.units.order_by("name"))}
        latest = {
            "G00001": [
                {"code": s.code, "score": str(s.score)}
                for s in Score.objects.filter(assessment__agency=agency, assessment__fiscal_year=2569)
            ]
        }
        version = FrameworkVersion.objects.for_year(2569)
        written = []
        for way in ("actions", "bulk"):
            rng = random.Random(7)
            with transaction.atomic():
                plans = generated_plans.draw_plans([agency], units, latest, version, 2571, 4, rng)
                reports = generated_plans.draw_progress(
                    plans, rng, officer=officer, officer_agency=agency.pk, unit_user=unit_user
                )
                if way == "actions":
                    generated_plans.write_plan_with_actions(plans[0])
                    generated_plans.write_progress_with_actions(plans[0], reports)
                else:
                    generated_plans.write_plans_in_bulk(plans)
                    generated_plans.write_progress_in_bulk(plans, reports)
                written.append(plan_rows(agency, 2571))
                transaction.set_rollback(True)
        assert written[0] == written[1]
        assert {row[6] for row in written[0]["entries"]} == set(State.values)


def entry_key(entry):
    return (entry.measure.order, entry.round.kind, entry.unit.name)


def plan_rows(agency, year):
    """Everything a plan's writing leaves in the database, by natural keys rather than ids."""
    measures = Measure.objects.filter(agency=agency, fiscal_year=year).order_by("order")
    entries = ProgressEntry.objects.filter(measure__in=measures).select_related(
        "measure", "round", "unit", "updated_by"
    )
    MeasureHistory = Measure.history.model
    EntryHistory = ProgressEntry.history.model
    by_id = {m.pk: m.order for m in measures}
    entry_keys = {e.pk: entry_key(e) for e in entries}
    return {
        "rounds": sorted(
            ReportingRound.objects.filter(agency=agency, fiscal_year=year).values_list("kind", "due_date", "active")
        ),
        "round history": sorted(
            ReportingRound.history.filter(agency=agency, fiscal_year=year).values_list("kind", "history_type")
        ),
        "measures": [
            (
                m.order,
                m.name,
                m.analysis,
                m.steps,
                m.months,
                m.lead_unit.name,
                sorted(u.name for u in m.supporting_units.all()),
                sorted(i.code for i in m.items.all()),
                sorted(i.number for i in m.indicators.all()),
                m.kpi,
                m.target,
                m.target_percent,
                m.report_to,
                m.revision,
            )
            for m in measures
        ],
        "measure history": [
            (
                by_id[h.id],
                h.history_type,
                h.name,
                h.history_user_id,
                sorted(str(u.unit_id) for u in h.supporting_units.all()),
                sorted(str(i.item_id) for i in h.items.all()),
                sorted(str(i.indicator_id) for i in h.indicators.all()),
            )
            for h in MeasureHistory.objects.filter(id__in=by_id).order_by("id", "history_id")
        ],
        "entries": sorted(
            (
                *entry_key(e),
                e.result,
                e.obstacles,
                e.percent,
                e.state,
                e.status,
                e.revision,
                e.updated_by.username if e.updated_by else None,
                e.kpi_actual,
            )
            for e in entries
        ),
        # In the order written, entry by entry (history ids differ between two writes).
        "entry history": [
            (entry_keys[h.id], h.history_type, h.state, h.revision, h.percent, h.result)
            for h in sorted(
                EntryHistory.objects.filter(id__in=entry_keys), key=lambda h: (entry_keys[h.id], h.history_id)
            )
        ],
        "activities": sorted(
            (entry_keys[a.entry_id], a.date, a.text) for a in Activity.objects.filter(entry__in=entries)
        ),
        "activity history": Activity.history.filter(entry_id__in=entry_keys).count(),
        "events": sorted(
            (entry_keys[e.entry_id], e.action, e.user_id, e.comment, e.created)
            for e in ReviewEvent.objects.filter(entry__in=entries)
        ),
    }


def test_the_dashboards_stored_counts_are_those_a_recount_gives(dataset):
    def stored():
        return (
            sorted(PlanSummary.objects.values_list("agency__code", "fiscal_year", "measures", "done", "reported")),
            sorted(
                UnitRoundCount.objects.values_list(
                    "unit__name", "round__kind", "round__agency__code", "open", "waiting"
                )
            ),
        )

    before = stored()
    refresh_all()

    assert len(before[0]) == 30
    assert before == stored()
