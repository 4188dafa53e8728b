from django.urls import path

from reports import views

urlpatterns = [
    path("agencies/<str:code>/<int:year>/report.<slug:file_format>", views.analysis_report, name="analysis_report"),
]
