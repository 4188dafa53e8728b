from django.urls import path

from assessments.views import agencies, analysis, dashboards, results

urlpatterns = [
    path("", results.home, name="home"),
    path("results/import/", results.import_results, name="import_results"),
    path("agencies/<str:code>/", agencies.agency, name="agency"),
    path("agencies/<str:code>/<int:year>/", analysis.analysis, name="analysis"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("overview/", dashboards.overview_latest, name="overview_latest"),
    path("overview/<int:year>/", dashboards.overview, name="overview"),
    path("overview/<int:year>/download.<slug:file_format>", dashboards.overview_download, name="overview_download"),
]
