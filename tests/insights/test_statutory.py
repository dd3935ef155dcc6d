from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import Role
from bookings.models import Booking, BookingLine, Participant
from insights import statutory
from insights.errors import GuestDataIncomplete, GuestDataInvalid
from insights.models import DocumentAccess, GuestDocument
from insights.statutory import ALLOGGIATI_LAYOUT, GuestInput
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
ARRIVAL = date(2026, 11, 11)

# The published Alloggiati Web record, written out independently of the code's table.
PUBLISHED = {
    "guest_type": (1, 2),
    "arrival": (3, 10),
    "days": (13, 2),
    "surname": (15, 50),
    "name": (65, 30),
    "sex": (95, 1),
    "birth_date": (96, 10),
    "birth_comune": (106, 9),
    "birth_province": (115, 2),
    "birth_state": (117, 9),
    "citizenship": (126, 9),
    "document_type": (135, 5),
    "document_number": (140, 20),
    "document_place": (160, 9),
}


@pytest.fixture
def hotel(db):
    return OrganisationFactory(name="Hotel San Frediano", kind="operator", subkind="accommodation")


@pytest.fixture
def manager_client(client, hotel):
    client.force_login(MembershipFactory(organisation=hotel, role=Role.MANAGER).user)
    return client


def stay(hotel, persons=2, arrival=ARRIVAL, nights=3, status="confirmed"):
    booking = Booking.objects.create(
        channel="web", contact_name="Maria Rossi", contact_email="m@example.com", status=status
    )
    line = BookingLine.objects.create(
        booking=booking,
        kind="accommodation",
        supplier=hotel,
        title="Doppia",
        service_date=arrival,
        end_date=arrival + timedelta(days=nights),
        persons=persons,
    )
    return line


def guest(line, first, last, nationality="IT", **doc):
    person = Participant.objects.create(
        booking=line.booking, line=line, first_name=first, last_name=last, nationality=nationality
    )
    if doc:
        statutory.guest_document_save(
            participant=person, data=GuestInput(**doc), actor=None, organisation=line.supplier
        )
    return person


HEAD = {
    "guest_type": "17",
    "sex": "2",
    "birth_date": date(1980, 5, 17),
    "birth_state": "100000100",
    "birth_comune": "409046017",
    "birth_province": "LU",
    "citizenship": "100000100",
    "document_type": "IDENT",
    "document_number": "CA12345AB",
    "document_place": "409046017",
    "residence": "IT-LU",
}
MEMBER = {
    "guest_type": "19",
    "sex": "1",
    "birth_date": date(2012, 3, 2),
    "birth_state": "100000216",
    "citizenship": "100000216",
    "residence": "IT-LU",
}


def test_the_layout_is_the_published_one_and_fills_168_characters():
    assert {name: (start, length) for name, start, length in ALLOGGIATI_LAYOUT} == PUBLISHED
    assert sum(length for _n, _s, length in ALLOGGIATI_LAYOUT) == 168
    position = 1
    for _name, start, length in ALLOGGIATI_LAYOUT:
        assert start == position
        position += length


def test_a_family_file_field_by_field(hotel):
    line = stay(hotel)
    guest(line, "Maria", "Rossi", **HEAD)
    guest(line, "Lukas", "Müller", nationality="DE", **MEMBER)
    content = statutory.alloggiati_file(establishment=hotel, day=ARRIVAL, actor=None)
    records = content.decode("latin-1").split("\r\n")
    assert records[-1] == "" and len(records) == 3
    head, member = records[0], records[1]
    assert len(head) == len(member) == 168

    def field(record, name):
        start, length = PUBLISHED[name]
        return record[start - 1 : start - 1 + length]

    assert field(head, "guest_type") == "17"
    assert field(head, "arrival") == "11/11/2026"
    assert field(head, "days") == "03"
    assert field(head, "surname") == "ROSSI".ljust(50)
    assert field(head, "name") == "MARIA".ljust(30)
    assert field(head, "sex") == "2"
    assert field(head, "birth_date") == "17/05/1980"
    assert field(head, "birth_comune") == "409046017"
    assert field(head, "birth_province") == "LU"
    assert field(head, "birth_state") == "100000100"
    assert field(head, "citizenship") == "100000100"
    assert field(head, "document_type") == "IDENT"
    assert field(head, "document_number") == "CA12345AB".ljust(20)
    assert field(head, "document_place") == "409046017"
    assert field(member, "guest_type") == "19"
    assert field(member, "surname") == "MÜLLER".ljust(50)
    assert "Ü".encode("latin-1") in content
    assert field(member, "birth_comune") == " " * 9 and field(member, "birth_province") == "  "
    assert field(member, "birth_state") == "100000216"
    assert member[134:] == " " * 34  # members have no document
    assert DocumentAccess.objects.filter(action="alloggiati_file").count() == 1


def test_no_file_while_a_guest_misses_data_and_the_operator_sees_who(hotel, manager_client):
    line = stay(hotel)
    guest(line, "Maria", "Rossi", **HEAD)
    guest(line, "Luca", "Rossi")
    with pytest.raises(GuestDataIncomplete) as caught:
        statutory.alloggiati_file(establishment=hotel, day=ARRIVAL, actor=None)
    assert any("Luca" in who for who, _f, _m in caught.value.problems)
    response = manager_client.get(reverse("insights:alloggiati"), {"date": "2026-11-11"})
    assert response.status_code == 400
    assert "Rossi Luca" in response.content.decode()


def test_validation_of_document_data(hotel):
    line = stay(hotel, persons=1)
    person = guest(line, "Maria", "Rossi")
    bad = {**HEAD, "birth_province": "PI", "document_number": "", "citizenship": "XX"}
    with pytest.raises(GuestDataInvalid) as caught:
        statutory.guest_document_save(
            participant=person, data=GuestInput(**bad), actor=None, organisation=hotel
        )
    assert set(caught.value.errors) == {"birth_province", "document_number", "citizenship"}
    assert not GuestDocument.objects.exists()


def test_another_establishment_and_travellers_get_404(hotel, client):
    line = stay(hotel, persons=1)
    person = guest(line, "Maria", "Rossi", **{**HEAD, "guest_type": "16"})
    other = OrganisationFactory(name="B&B Le Mura", kind="operator", subkind="accommodation")
    client.force_login(MembershipFactory(organisation=other, role=Role.OWNER).user)
    assert client.get(reverse("insights:guest_document", args=[person.pk])).status_code == 404
    content = client.get(reverse("insights:alloggiati"), {"date": "2026-11-11"}).content
    assert content == b""  # the other establishment's file is empty: none of these guests
    client.force_login(UserFactory())
    assert client.get(reverse("insights:guests")).status_code == 404
    guide = OrganisationFactory(name="Guide", kind="operator", subkind="guide")
    client.force_login(MembershipFactory(organisation=guide, role=Role.OWNER).user)
    assert client.get(reverse("insights:guests")).status_code == 404


def test_staff_without_a_manager_role_do_not_see_document_data(hotel, client):
    client.force_login(MembershipFactory(organisation=hotel, role=Role.STAFF).user)
    assert client.get(reverse("insights:guests")).status_code == 403


def test_the_manager_edits_and_every_access_is_logged(hotel, manager_client):
    line = stay(hotel, persons=1)
    person = guest(line, "Maria", "Rossi")
    url = reverse("insights:guest_document", args=[person.pk])
    assert manager_client.get(url).status_code == 200
    data = {**HEAD, "guest_type": "16", "birth_date": "1980-05-17"}
    assert manager_client.post(url, data).status_code == 302
    assert person.__class__.objects.get(pk=person.pk).guest_document.document_number == "CA12345AB"
    actions = list(DocumentAccess.objects.values_list("action", flat=True))
    assert sorted(actions) == ["edit", "view"]
    response = manager_client.get(reverse("insights:alloggiati"), {"date": "2026-11-11"})
    assert response.status_code == 200 and len(response.content) == 170


def test_the_purge_deletes_data_past_retention(hotel, settings):
    settings.GUEST_DOCUMENT_RETENTION_DAYS = 30
    line = stay(hotel, persons=1)
    guest(line, "Maria", "Rossi", **{**HEAD, "guest_type": "16"})
    departure = ARRIVAL + timedelta(days=3)
    assert GuestDocument.objects.get().purge_after == departure + timedelta(days=30)
    assert statutory.guest_documents_purge(today=departure + timedelta(days=30)) == 0
    assert statutory.guest_documents_purge(today=departure + timedelta(days=31)) == 1
    assert not GuestDocument.objects.exists()
    assert Participant.objects.filter(last_name="Rossi").exists()
    assert DocumentAccess.objects.filter(action="purge").exists()


def test_c59_figures_on_a_known_month(hotel):
    a = stay(hotel, persons=2, arrival=date(2026, 10, 30), nights=4)  # 2 nights in Nov
    guest(a, "Maria", "Rossi", nationality="IT")
    guest(a, "Hans", "Weber", nationality="DE")
    stay(hotel, persons=3, arrival=date(2026, 11, 28), nights=5)  # 3 nights in Nov, unnamed
    stay(hotel, persons=9, arrival=date(2026, 11, 5), nights=2, status="cancelled")
    rows = {r["residence"]: r for r in statutory.c59_rows(establishment=hotel, year=2026, month=11)}
    figures = {
        k: {f: r[f] for f in ("arrivals", "departures", "presences")} for k, r in rows.items()
    }
    # no residence recorded for these guests: nationality, marked as the fallback
    assert figures["IT"] == {"arrivals": 0, "departures": 1, "presences": 2}
    assert rows["IT"]["source"] == "nazionalita" and rows["DE"]["source"] == "nazionalita"
    assert figures["DE"]["presences"] == 2
    assert figures["ND"] == {"arrivals": 3, "departures": 0, "presences": 9}
    assert rows["ND"]["source"] == "ND"
    csv_text = statutory.c59_csv(establishment=hotel, year=2026, month=11).decode()
    assert csv_text.splitlines()[0] == (
        "anno;mese;codice_struttura;residenza;stato;regione;provincia;fonte_residenza;"
        "arrivi;partenze;presenze"
    )


def test_c59_counts_guests_by_residence_not_nationality(hotel, manager_client):
    line = stay(hotel, persons=3, arrival=date(2026, 11, 10), nights=2)
    # an Italian citizen living in Munich, a German citizen living in Lucca
    guest(line, "Luca", "Neri", nationality="IT", **{**HEAD, "residence": "DE"})
    guest(line, "Anna", "Schmidt", nationality="DE", **{**MEMBER, "residence": "it-lu"})
    guest(line, "Old", "Record", nationality="FR")  # collected before residence was asked
    rows = statutory.c59_rows(establishment=hotel, year=2026, month=11)
    by = {(r["residence"], r["source"]): r for r in rows}
    assert by[("DE", "residenza")]["arrivals"] == 1
    lucca = by[("IT-LU", "residenza")]
    assert (lucca["country"], lucca["region"], lucca["province"]) == ("IT", "IT-52", "IT-LU")
    assert lucca["presences"] == 2
    assert by[("FR", "nazionalita")]["arrivals"] == 1  # the visible fallback
    assert ("IT", "nazionalita") not in by
    assert statutory.c59_fallbacks(rows) == 1
    csv_lines = statutory.c59_csv(establishment=hotel, year=2026, month=11).decode().splitlines()
    assert "2026;11;hotel-san-frediano;IT-LU;IT;IT-52;IT-LU;residenza;1;1;2" in csv_lines
    assert "2026;11;hotel-san-frediano;FR;FR;;;nazionalita;1;1;2" in csv_lines
    page = manager_client.get(reverse("insights:guests"), {"date": "2026-11-10"})
    assert "1 arrival has no recorded residence" in page.content.decode()


@pytest.mark.parametrize(
    "residence, ok",
    [("DE", True), ("it-lu", True), ("", False), ("IT", False), ("IT-52", False), ("XX", False)],
)
def test_residence_is_a_country_or_an_italian_province(hotel, residence, ok):
    line = stay(hotel, persons=1)
    person = Participant.objects.create(
        booking=line.booking, line=line, first_name="A", last_name="B"
    )
    data = GuestInput(**{**HEAD, "guest_type": "16", "residence": residence})
    if ok:
        statutory.guest_document_save(participant=person, data=data, actor=None, organisation=hotel)
        assert GuestDocument.objects.get(participant=person).residence == residence.upper()
    else:
        with pytest.raises(GuestDataInvalid) as exc:
            statutory.guest_document_save(
                participant=person, data=data, actor=None, organisation=hotel
            )
        assert "residence" in exc.value.errors
        assert not GuestDocument.objects.filter(participant=person).exists()


def test_the_form_takes_the_datalist_choice_and_old_records_still_make_the_police_file(
    hotel, manager_client
):
    line = stay(hotel, persons=1)
    person = Participant.objects.create(
        booking=line.booking, line=line, first_name="A", last_name="B"
    )
    form = {
        **HEAD,
        "guest_type": "16",
        "birth_date": "1980-05-17",
        "residence": "IT-LU · Lucca (IT)",
    }
    url = reverse("insights:guest_document", args=[person.pk])
    response = manager_client.post(url, form)
    assert response.status_code == 302
    document = GuestDocument.objects.get(participant=person)
    assert document.residence == "IT-LU"
    # data collected before the field: the Alloggiati file (which has no residence) still goes
    GuestDocument.objects.filter(pk=document.pk).update(residence="")
    file = manager_client.get(reverse("insights:alloggiati"), {"date": ARRIVAL.isoformat()})
    assert file.status_code == 200
