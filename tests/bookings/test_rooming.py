from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from bookings import rooming, services
from bookings.models import BookingEvent, CancelReason, Participant
from bookings.rooming import RoomingListInvalid
from operators.pricing import PaxMix
from tests.factories import OrganisationFactory
from tests.operators.factories import bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db

HEADER = (
    "first_name,last_name,nationality,birth_date,document_type,document_number,"
    "dietary_needs,accessibility_needs,room,room_type,leader\n"
)


def group_booking(*, adults=5, units=2, free_place_every=4):
    """5 people: 2 double rooms (max 3 each) and a tour giving 1 free place every 4 paying."""
    hotel, unit_type, start = bookable_stay(units=5)
    tour, slot = bookable_experience(days_ahead=11, free_place_every=free_place_every)
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    booking = services.booking_hold(
        lines=[
            services.LineRequest(
                product=hotel,
                day=start,
                unit_type=unit_type,
                check_out=start + timedelta(days=2),
                units=units,
                pax=PaxMix.of(adults=adults),
            ),
            services.LineRequest(
                product=tour, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults)
            ),
        ],
        channel="trade",
        contact_name="Group desk",
        contact_email="groups@example.com",
        buyer_organisation=partner,
        hold_for=timedelta(days=3),
    )
    return booking, unit_type


def upload(booking, rows: str, header=HEADER):
    return rooming.rooming_list_import(booking=booking, content=(header + rows).encode())


def errors_of(excinfo):
    return [(e.row, e.column) for e in excinfo.value.row_errors]


def test_the_limits_come_from_the_booked_lines():
    booking, unit_type = group_booking()
    limits = rooming.rooming_limits(booking)
    assert limits.persons == 5
    assert limits.free_places == 1
    assert limits.units == {unit_type.pk: 2}


def test_a_valid_list_replaces_the_participants_and_matches_room_types_in_both_languages():
    booking, unit_type = group_booking()
    Participant.objects.create(booking=booking, first_name="Old", last_name="Name")
    result = upload(
        booking,
        "Anna,Rossi,it,1980-05-01,passport,YA123,vegetarian,,101,Camera doppia,yes\n"
        "Hans,Müller,DE,02/03/1975,,,,wheelchair,101,double room,\n"
        "Jane,Smith,GB,,,,,,102,Double Room,no\n"
        "Tom,Smith,GB,2015-07-30,,,,,102,camera doppia,0\n",
    )
    people = list(booking.participants.order_by("pk"))
    assert [p.first_name for p in people] == ["Anna", "Hans", "Jane", "Tom"]
    assert not booking.participants.filter(first_name="Old").exists()
    anna, hans, jane, tom = people
    assert (anna.nationality, anna.is_leader, anna.unit_type_id) == ("IT", True, unit_type.pk)
    assert hans.birth_date == date(1975, 3, 2)
    assert hans.accessibility_needs == "wheelchair"
    assert jane.birth_date is None
    assert tom.room == "102" and not tom.is_leader
    assert result.notes == []
    event = BookingEvent.objects.get(booking=booking, action="rooming_list_import")
    assert event.data["participants"] == 4
    before = booking.updated_at
    booking.refresh_from_db()
    assert booking.updated_at > before  # the cached voucher will show the new names


def test_semicolon_separated_excel_files_are_read():
    booking, _unit_type = group_booking()
    header = "first_name;last_name;nationality;room;room_type\n"
    upload(booking, "Anna;Rossi;IT;1;Camera doppia\n", header=header)
    assert booking.participants.get().room == "1"


def test_an_unknown_room_type_is_reported_and_nothing_is_imported():
    booking, _unit_type = group_booking()
    Participant.objects.create(booking=booking, first_name="Kept", last_name="Name")
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(booking, "Anna,Rossi,IT,,,,,,1,Suite,\n")
    assert errors_of(excinfo) == [(2, "room_type")]
    assert "Suite" in excinfo.value.row_errors[0].message
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(booking, "Anna,Rossi,IT,,,,,,1,Double room,\nLuca,Bini,IT,,,,,,1,Suite,\n")
    assert errors_of(excinfo) == [(3, "room_type")]  # one error, not also "two types"
    assert list(booking.participants.values_list("first_name", flat=True)) == ["Kept"]


def test_more_people_in_a_room_than_its_maximum_occupancy():
    booking, _unit_type = group_booking()
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(
            booking,
            "A,One,IT,,,,,,1,Double room,\n"
            "B,Two,IT,,,,,,1,Double room,\n"
            "C,Three,IT,,,,,,1,Double room,\n"
            "D,Four,IT,,,,,,1,Double room,\n",
        )
    assert errors_of(excinfo) == [(5, "room")]
    assert "(3)" in excinfo.value.row_errors[0].message
    assert not booking.participants.exists()


def test_more_rooms_of_a_type_than_units_booked():
    booking, _unit_type = group_booking()
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(
            booking,
            "A,One,IT,,,,,,1,Double room,\nB,Two,IT,,,,,,2,Double room,\n"
            "C,Three,IT,,,,,,3,Double room,\n",
        )
    assert errors_of(excinfo) == [(4, "room")]
    assert "2 booked" in excinfo.value.row_errors[0].message


def test_a_bad_birth_date_is_an_error_but_a_missing_one_is_not():
    booking, _unit_type = group_booking()
    future = (date.today() + timedelta(days=30)).isoformat()
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(
            booking,
            "A,One,IT,31/02/2010,,,,,,,\nB,Two,IT,,,,,,,,\nC,Three,IT,yesterday,,,,,,,\n"
            f"D,Four,IT,{future},,,,,,,\n",
        )
    assert errors_of(excinfo) == [(2, "birth_date"), (4, "birth_date"), (5, "birth_date")]


def test_more_group_leaders_than_free_places():
    booking, _unit_type = group_booking()
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(booking, "A,One,IT,,,,,,,,yes\nB,Two,IT,,,,,,,,1\n")
    assert errors_of(excinfo) == [(3, "leader")]


def test_without_free_places_leaders_are_allowed_but_noted_as_paying():
    booking, _unit_type = group_booking(free_place_every=None)
    result = upload(booking, "A,One,IT,,,,,,,,yes\nB,Two,IT,,,,,,,,yes\n")
    assert booking.participants.filter(is_leader=True).count() == 2
    assert "pay" in result.notes[0]


def test_participants_beyond_the_booked_persons():
    booking, _unit_type = group_booking()
    rows = "".join(f"P{i},Person,IT,,,,,,,,\n" for i in range(7))
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(booking, rows)
    assert errors_of(excinfo) == [(7, ""), (8, "")]


def test_bad_values_in_several_rows_are_all_reported_and_nothing_is_imported():
    booking, _unit_type = group_booking()
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(
            booking,
            "Anna,Rossi,IT,,,,,,1,Double room,\n"
            "Hans,Müller,Germany,,,,,,1,Double room,\n"
            ",Smith,GB,,,,,,2,Double room,maybe\n",
        )
    assert errors_of(excinfo) == [(3, "nationality"), (4, "first_name"), (4, "leader")]
    assert not booking.participants.exists()
    assert not BookingEvent.objects.filter(action="rooming_list_import").exists()


def test_a_missing_or_unknown_column_is_refused():
    booking, _unit_type = group_booking()
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(booking, "Rossi,IT\n", header="last_name,nationality\n")
    assert errors_of(excinfo) == [(1, "first_name")]
    with pytest.raises(RoomingListInvalid) as excinfo:
        upload(booking, "A,B,1\n", header="first_name,last_name,shoe_size\n")
    assert errors_of(excinfo) == [(1, "shoe_size")]


def test_a_cancelled_booking_refuses_changes():
    booking, _unit_type = group_booking()
    services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    with pytest.raises(ValidationError) as excinfo:
        upload(booking, "A,One,IT,,,,,,,,\n")
    assert "booking" in excinfo.value.message_dict


def test_add_edit_and_remove_a_participant():
    booking, unit_type = group_booking()
    anna = rooming.participant_add(
        booking=booking,
        first_name="Anna",
        last_name="Rossi",
        nationality="it",
        room="101",
        dietary_needs="gluten free",
    )
    assert (anna.nationality, anna.unit_type_id) == ("IT", unit_type.pk)
    rooming.participant_update(participant=anna, is_leader=True, room="102")
    anna.refresh_from_db()
    assert anna.is_leader and anna.room == "102"
    rooming.participant_remove(participant=anna)
    assert not booking.participants.exists()
    actions = list(booking.events.values_list("action", flat=True))
    assert actions[-3:] == ["participant_add", "participant_edit", "participant_remove"]


def test_a_single_edit_gets_the_same_checks_as_an_upload():
    booking, _unit_type = group_booking()
    with pytest.raises(ValidationError) as excinfo:
        rooming.participant_add(booking=booking, first_name="A", last_name="B", nationality="XX")
    assert "nationality" in excinfo.value.message_dict
    rooming.participant_add(booking=booking, first_name="L", last_name="One", is_leader=True)
    with pytest.raises(ValidationError) as excinfo:
        rooming.participant_add(booking=booking, first_name="L", last_name="Two", is_leader=True)
    assert "is_leader" in excinfo.value.message_dict
    for i in range(3):
        rooming.participant_add(booking=booking, first_name=f"R{i}", last_name="X", room="7")
    with pytest.raises(ValidationError) as excinfo:
        rooming.participant_add(booking=booking, first_name="R4", last_name="X", room="7")
    assert "room" in excinfo.value.message_dict
    rooming.participant_add(booking=booking, first_name="Five", last_name="X")
    with pytest.raises(ValidationError) as excinfo:
        rooming.participant_add(booking=booking, first_name="Six", last_name="X")
    assert "__all__" in excinfo.value.message_dict
    assert booking.participants.count() == 5


def test_the_list_downloads_in_the_upload_format():
    booking, _unit_type = group_booking()
    upload(booking, "Anna,Rossi,IT,1980-05-01,,,,,101,Camera doppia,yes\n")
    text = rooming.rooming_list_csv(booking)
    assert text.splitlines()[0] == HEADER.strip()
    booking2, _ = group_booking()
    rooming.rooming_list_import(booking=booking2, content=text.encode())
    assert booking2.participants.get().is_leader
