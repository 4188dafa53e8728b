from django.urls import path  # noqa: F401 (the sign-in and access-log pages add their paths here)

urlpatterns: list = []
