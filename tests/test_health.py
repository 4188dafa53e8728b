"""The health URL a load balancer or container runtime asks: "ok" while the database answers."""

import logging
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from accounts.models import Session


def test_health_says_ok_when_the_database_answers(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response.templates == []  # nothing that could reach for the user or the menu


def test_health_asks_the_database_once_and_leaves_the_session_alone(client, officer, django_assert_num_queries):
    client.force_login(officer)  # a signed-in browser's cookie: still only the one query
    sessions = Session.objects.count()
    with django_assert_num_queries(1) as queries:
        response = client.get("/health/")
    assert queries.captured_queries[0]["sql"] == "SELECT 1"
    assert "Cookie" not in response.get("Vary", "")
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == sessions


def test_health_says_database_unavailable_when_it_does_not_answer(client, db, caplog):
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("connection refused")),
        caplog.at_level(logging.ERROR, logger="ita_tracker.views"),
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.content == b"database unavailable"
    assert response["Cache-Control"] == "no-store"
    assert "connection refused" in caplog.text


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_answers_get_only(client, db, method):
    assert getattr(client, method)("/health/").status_code == 405
