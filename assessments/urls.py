from django.urls import path

from assessments.views import results

urlpatterns = [
    path("", results.home, name="home"),
    path("results/import/", results.import_results, name="import_results"),
]
