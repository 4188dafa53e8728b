from django.urls import path

import ita_tracker.converters  # noqa: F401  registers agency_code, fiscal_year, round_kind, review_action
from assessments.views import frameworks, history, overview, results

urlpatterns = [
    path("results/import/", results.import_results, name="import_results"),
    path("results/template/", results.results_template, name="results_template"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/history/", history.results_history, name="results_history"),
    path("frameworks/", frameworks.framework_list, name="framework_list"),
    path("frameworks/new/", frameworks.new_framework, name="new_framework"),
    path("overview/", overview.overview_latest, name="overview_latest"),
    path("overview/<fiscal_year:year>/", overview.overview, name="overview"),
    path(
        "overview/<fiscal_year:year>/download.<slug:file_format>", overview.overview_download, name="overview_download"
    ),
]
