"""People without the Django admin: an agency's administrators invite people by e-mail, change
their role and units and remove them; an invitation is accepted once, before it expires."""

import datetime
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import AccessEvent, Session
from assessments.models import Membership
from measures.models import Unit
from people.actions import do_accept_invitation, do_invite
from people.models import Departure, Invitation, token_hash
from tests import factories
from tests.clock import BANGKOK, pinned

pytestmark = pinned(2026, 5, 15)
NOW = datetime.datetime(2026, 5, 15, 10, 0, tzinfo=BANGKOK)
SMTP = "django.core.mail.backends.smtp.EmailBackend"
PASSWORD = "a-long-pass-2568"


@pytest.fixture
def admin1(agency):
    return factories.member("admin1", agency, "agency_admin")


@pytest.fixture
def admin_client(client, admin1):
    client.force_login(admin1)
    return client


def invite(client, **fields):
    data = {"email": "somsri@example.go.th", "name": "สมศรี ใจดี", "role": "unit_staff", "language": "th"} | fields
    return client.post("/agencies/AG1/people/invite/", data)


def link_in(text):
    return re.search(r"http://testserver(/accounts/invitation/[\w-]+/)", text).group(1)


def accept(client, url, username="somsri", password=PASSWORD):
    return client.post(url, {"username": username, "password1": password, "password2": password})


# --- An invitation accepted, expired and reused ------------------------------------------------


def test_an_invitation_is_mailed_and_accepting_it_creates_the_account_with_role_and_units(
    admin_client, client, agency, unit, other_unit
):
    response = invite(admin_client, units=[unit.pk, other_unit.pk])

    assert response.status_code == 302 and response.url == "/agencies/AG1/people/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["somsri@example.go.th"]
    assert agency.name_th in message.subject
    assert "เจ้าหน้าที่หน่วยงานย่อย" in message.body  # the role, in the inviter's language
    assert "22 พฤษภาคม 2569" in message.body  # expires in 7 days, in the Buddhist Era
    url = link_in(message.body)
    invitation = Invitation.objects.get()
    assert invitation.expires_at == NOW + datetime.timedelta(days=7)
    assert invitation.token_hash == token_hash(url.split("/")[3]) and url.split("/")[3] not in invitation.token_hash
    client.logout()

    page = client.get(url)
    assert page.status_code == 200 and agency.name_th in page.text
    assert 'value="somsri"' in page.text  # the user name offered from the address
    accepted = accept(client, url)

    assert accepted.status_code == 302 and accepted.url == "/"
    user = get_user_model().objects.get(username="somsri")
    assert (user.email, user.first_name, user.last_name) == ("somsri@example.go.th", "สมศรี", "ใจดี")
    assert list(Membership.objects.filter(user=user).values_list("agency__code", "role")) == [("AG1", "unit_staff")]
    assert set(Unit.objects.of_member(user)) == {unit, other_unit}
    assert client.get("/").context["user"] == user  # signed in
    invitation.refresh_from_db()
    assert invitation.user == user and invitation.accepted_at == NOW
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.PERSON_JOINED, user=user, agency=agency).count() == 1


def test_an_expired_invitation_answers_410_and_creates_nothing(client, agency, admin1, time_machine):
    invitation, token = do_invite(
        agency=agency, email="late@example.go.th", name="", role="officer", units=[], language="th", invited_by=admin1
    )
    time_machine.move_to(NOW + datetime.timedelta(days=7, seconds=1))

    page = client.get(f"/accounts/invitation/{token}/")
    posted = accept(client, f"/accounts/invitation/{token}/", username="late")

    for response in (page, posted):
        assert response.status_code == 410
        assert "กรุณาขอให้ผู้ดูแลระบบส่งคำเชิญใหม่" in response.text
    assert not get_user_model().objects.filter(username="late").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.user is None


def test_a_reused_invitation_answers_410_and_changes_nothing(client, agency, admin1):
    invitation, token = do_invite(
        agency=agency, email="once@example.go.th", name="", role="officer", units=[], language="th", invited_by=admin1
    )
    assert accept(client, f"/accounts/invitation/{token}/", username="once").status_code == 302
    client.logout()

    page = client.get(f"/accounts/invitation/{token}/")
    again = accept(client, f"/accounts/invitation/{token}/", username="twice")

    for response in (page, again):
        assert response.status_code == 410
        assert "คำเชิญนี้ตอบรับไปแล้ว" in response.text
    assert list(get_user_model().objects.filter(email="once@example.go.th").values_list("username", flat=True)) == [
        "once"
    ]
    assert Membership.objects.filter(agency=agency, role="officer").count() == 1


def test_a_tampered_token_is_not_found(client, agency, admin1):
    _invitation, token = do_invite(
        agency=agency, email="x@example.go.th", name="", role="officer", units=[], language="th", invited_by=admin1
    )

    assert client.get(f"/accounts/invitation/{token[:-1]}x/").status_code == 404
    assert client.get(f"/accounts/invitation/{token_hash(token)}/").status_code == 404  # the stored hash is no link


def test_a_weak_password_is_refused_and_the_user_name_kept(client, agency, admin1):
    _invitation, token = do_invite(
        agency=agency, email="x@example.go.th", name="", role="officer", units=[], language="th", invited_by=admin1
    )

    response = accept(client, f"/accounts/invitation/{token}/", username="chosen-name", password="12345678")

    assert response.status_code == 200
    assert 'value="chosen-name"' in response.text
    assert response.context["form"].errors["password1"]
    assert not get_user_model().objects.filter(username="chosen-name").exists()


def test_two_acceptances_at_once_create_one_account(threads_db):
    agency = factories.agency("AG1")
    invitation, _token = do_invite(
        agency=agency, email="race@example.go.th", name="", role="officer", units=[], language="th", invited_by=None
    )
    made = []
    start = threading.Barrier(2)

    def take(username):
        try:
            start.wait()
            made.append(do_accept_invitation(invitation=invitation, username=username, password=PASSWORD))
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(user is None for user in made) == [False, True]
    assert get_user_model().objects.filter(email="race@example.go.th").count() == 1
    assert Membership.objects.filter(agency=agency).count() == 1


# --- Without a mail server, the link to pass on --------------------------------------------------


def test_without_a_mail_server_the_page_shows_the_link_to_pass_on(admin_client, client, settings):
    settings.MAILERS = {"default": {"BACKEND": SMTP}}

    response = invite(admin_client)

    assert response.status_code == 200
    assert "ระบบนี้ไม่มีเซิร์ฟเวอร์อีเมล" in response.text
    assert mail.outbox == []
    url = link_in(response.text)
    client.logout()
    assert client.get(url).status_code == 200


def test_sending_again_makes_a_new_link_and_the_old_one_stops_working(admin_client, agency, admin1):
    invitation, old = do_invite(
        agency=agency, email="again@example.go.th", name="", role="officer", units=[], language="en", invited_by=admin1
    )

    response = admin_client.post(f"/agencies/AG1/people/invitations/{invitation.pk}/resend/")

    assert response.status_code == 302
    assert "You are invited to ITA Tracker" in mail.outbox[0].body  # the language chosen for this invitation
    new = link_in(mail.outbox[0].body)
    assert admin_client.get(f"/accounts/invitation/{old}/").status_code == 404
    assert admin_client.get(new).status_code == 200


def test_cancelling_an_invitation_kills_its_link(admin_client, agency, admin1):
    invitation, token = do_invite(
        agency=agency, email="gone@example.go.th", name="", role="officer", units=[], language="th", invited_by=admin1
    )

    admin_client.post(f"/agencies/AG1/people/invitations/{invitation.pk}/cancel/")

    assert not Invitation.objects.exists()
    assert admin_client.get(f"/accounts/invitation/{token}/").status_code == 404


# --- The invitation form -----------------------------------------------------------------------


def test_units_of_another_agency_are_refused_and_what_was_typed_kept(admin_client, other_agency):
    elsewhere = factories.unit(other_agency, "กองของหน่วยงานอื่น")

    response = invite(admin_client, units=[elsewhere.pk], name="ชื่อที่พิมพ์ไว้")

    assert response.status_code == 200
    assert response.context["form"].errors["units"]
    assert 'value="somsri@example.go.th"' in response.text and 'value="ชื่อที่พิมพ์ไว้"' in response.text
    assert not Invitation.objects.exists() and mail.outbox == []


def test_someone_with_an_account_is_added_at_once(admin_client, agency, other_agency, unit):
    person = factories.member("somchai", other_agency, "officer")
    person.email = "Somchai@Example.go.th"
    person.save()

    response = invite(admin_client, email="somchai@example.go.th", role="executive", units=[unit.pk])

    assert response.status_code == 302
    assert Membership.objects.get(user=person, agency=agency).role == "executive"
    assert list(Unit.objects.of_member(person)) == [unit]
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_member_already_is_refused_with_a_clear_message(admin_client, officer):
    officer.email = "officer@example.go.th"
    officer.save()

    response = invite(admin_client, email="officer@example.go.th")

    assert response.status_code == 200
    assert "เป็นสมาชิกของหน่วยงานนี้อยู่แล้ว" in response.text
    assert Membership.objects.get(user=officer).role == "officer"


# --- Who manages whom ------------------------------------------------------------------------------


def test_an_agency_admin_of_another_agency_does_not_see_this_one(client, other_agency, officer):
    client.force_login(factories.member("admin2", other_agency, "agency_admin"))

    assert client.get("/agencies/AG1/people/").status_code == 404
    assert client.get(f"/agencies/AG1/people/{officer.pk}/").status_code == 404
    assert client.post(f"/agencies/AG1/people/{officer.pk}/remove/").status_code == 404
    assert Membership.objects.filter(user=officer).exists()


def test_an_officer_may_not_manage_people(client, officer, executive):
    client.force_login(officer)

    assert client.get("/agencies/AG1/people/").status_code == 403
    assert client.post(f"/agencies/AG1/people/{executive.pk}/", {"role": "agency_admin"}).status_code == 403
    assert Membership.objects.get(user=executive).role == "executive"


def test_the_menu_and_the_agency_page_link_to_the_people(admin_client, client, superuser, officer):
    assert 'href="/agencies/AG1/people/"' in admin_client.get("/agencies/AG1/").text
    client.force_login(officer)
    assert 'href="/agencies/AG1/people/"' not in client.get("/agencies/AG1/").text
    client.force_login(superuser)
    assert 'href="/agencies/AG1/people/"' in client.get("/agencies/AG1/").text


def test_only_system_administrators_give_oversight(admin_client, client, executive, superuser):
    admin_client.post(f"/agencies/AG1/people/{executive.pk}/", {"role": "executive", "oversight": "on"})
    assert Membership.objects.get(user=executive).oversight is False

    client.force_login(superuser)
    client.post(f"/agencies/AG1/people/{executive.pk}/", {"role": "executive", "oversight": "on"})
    assert Membership.objects.get(user=executive).oversight is True


def test_changing_role_and_units_is_saved_and_logged(admin_client, agency, executive, unit, other_unit):
    response = admin_client.post(
        f"/agencies/AG1/people/{executive.pk}/", {"role": "unit_staff", "units": [other_unit.pk]}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=executive).role == "unit_staff"
    assert list(Unit.objects.of_member(executive)) == [other_unit]
    event = AccessEvent.objects.get(kind=AccessEvent.Kind.PERSON_CHANGED)
    assert (event.username, event.agency) == ("admin1", agency)
    assert event.what == "executive: เจ้าหน้าที่หน่วยงานย่อย; กจ."


# --- Removing and bringing back --------------------------------------------------------------------


def test_removing_someone_ends_their_sessions_and_they_can_no_longer_sign_in(
    admin_client, client, agency, unit_staff, unit
):
    theirs = Client()
    theirs.force_login(unit_staff)
    assert Session.objects.filter(user=unit_staff).count() == 1

    response = admin_client.post(f"/agencies/AG1/people/{unit_staff.pk}/remove/")

    assert response.status_code == 302
    unit_staff.refresh_from_db()
    assert unit_staff.is_active is False
    assert not Membership.objects.filter(user=unit_staff).exists()
    assert not unit.members.filter(pk=unit_staff.pk).exists()
    assert Session.objects.filter(user=unit_staff).count() == 0
    assert theirs.get("/").status_code == 302  # signed out
    signed_in = Client().post("/accounts/login/", {"username": "unitstaff", "password": factories.PASSWORD})
    assert signed_in.status_code == 200 and "_auth_user_id" not in signed_in.wsgi_request.session
    assert Departure.objects.get(agency=agency, user=unit_staff).role == "unit_staff"


def test_someone_in_another_agency_too_keeps_their_account(admin_client, executive, other_agency):
    Membership.objects.create(user=executive, agency=other_agency, role="officer")

    admin_client.post(f"/agencies/AG1/people/{executive.pk}/remove/")

    executive.refresh_from_db()
    assert executive.is_active is True
    assert list(Membership.objects.filter(user=executive).values_list("agency__code", flat=True)) == ["AG2"]


def test_someone_removed_is_brought_back_with_their_role(admin_client, executive):
    admin_client.post(f"/agencies/AG1/people/{executive.pk}/remove/")
    assert "executive" in admin_client.get("/agencies/AG1/people/").text  # listed as removed

    response = admin_client.post(f"/agencies/AG1/people/{executive.pk}/restore/")

    assert response.status_code == 302 and response.url == f"/agencies/AG1/people/{executive.pk}/"
    executive.refresh_from_db()
    assert executive.is_active is True
    assert Membership.objects.get(user=executive).role == "executive"
    assert not Departure.objects.exists()


def test_the_last_admin_cannot_remove_or_demote_themselves(admin_client, admin1, agency):
    demoted = admin_client.post(f"/agencies/AG1/people/{admin1.pk}/", {"role": "officer"})
    removed = admin_client.post(f"/agencies/AG1/people/{admin1.pk}/remove/", follow=True)

    assert demoted.status_code == 200
    assert "คุณเป็นผู้ดูแลระบบของหน่วยงานเพียงคนเดียว" in demoted.text
    assert "คุณเป็นผู้ดูแลระบบของหน่วยงานเพียงคนเดียว" in removed.text
    assert Membership.objects.get(user=admin1, agency=agency).role == "agency_admin"

    factories.member("admin1b", agency, "agency_admin")
    assert admin_client.post(f"/agencies/AG1/people/{admin1.pk}/", {"role": "officer"}).status_code == 302
    assert Membership.objects.get(user=admin1, agency=agency).role == "officer"


# --- Fixed queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_the_people_page_runs_the_same_queries_for_1_and_30_members(
    admin_client, admin1, agency, unit, django_assert_num_queries, count
):
    for number in range(count):
        person = factories.member(f"person{number}", agency, "unit_staff")
        unit.members.add(person)
        do_invite(
            agency=agency,
            email=f"p{number}@example.go.th",
            name="",
            role="officer",
            units=[unit],
            language="th",
            invited_by=admin1,
        )
    admin_client.get("/agencies/AG1/people/")  # the session's first request reads more

    with django_assert_num_queries(14):  # with the menu's count of reports to review and its bell
        response = admin_client.get("/agencies/AG1/people/")

    assert response.status_code == 200
    assert response.text.count("p0@example.go.th") == 1
    assert len(response.context["members"]) == count + 1
