"""The pages that combine an agency's results with its measures, above both apps."""

from django.urls import path

import ita_tracker.converters  # noqa: F401  registers agency_code, fiscal_year, round_kind, review_action
from dashboards.views import agency, analysis, dashboard, home

urlpatterns = [
    path("", home.home, name="home"),
    path("agencies/<agency_code:code>/", agency.agency, name="agency"),
    path("agencies/<agency_code:code>/<fiscal_year:year>/", analysis.analysis, name="analysis"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
