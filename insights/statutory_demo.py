"""Demo: the Hotel San Frediano's completed stay gets named guests with their document data,
so that its Alloggiati file and C/59 month can be downloaded. Demo data only: participants are
created directly because the stay is completed (the rooming service locks completed stays)."""

from datetime import date

from .models import GuestDocument
from .statutory import GuestInput, guest_document_save

GUESTS = [
    (
        "Giulia",
        "Bianchi",
        "IT",
        GuestInput(
            guest_type="17",
            sex="2",
            birth_date=date(1984, 2, 9),
            birth_state="100000100",
            birth_comune="403015146",
            birth_province="MI",
            citizenship="100000100",
            document_type="IDELE",
            document_number="CA48213KL",
            document_place="403015146",
            residence="IT-MI",
        ),
    ),
    (
        "Marco",
        "Bianchi",
        "IT",
        GuestInput(
            guest_type="19",
            sex="1",
            birth_date=date(1982, 7, 21),
            birth_state="100000100",
            birth_comune="409046017",
            birth_province="LU",
            citizenship="100000100",
            residence="IT-MI",
        ),
    ),
]


def seed(context: dict) -> None:
    from accounts.models import Organisation
    from bookings.models import BookingLine, Participant

    hotel = Organisation.objects.filter(slug="hotel-san-frediano").first()
    line = (
        (
            BookingLine.objects.filter(
                supplier=hotel, kind="accommodation", booking__status__in=("confirmed", "completed")
            )
            .order_by("service_date")
            .first()
        )
        if hotel
        else None
    )
    if line is None or GuestDocument.objects.filter(participant__line=line).exists():
        return
    for first, last, nationality, data in GUESTS[: max(line.persons, 1)]:
        person, _created = Participant.objects.get_or_create(
            booking=line.booking,
            line=line,
            first_name=first,
            last_name=last,
            defaults={"nationality": nationality},
        )
        guest_document_save(participant=person, data=data, actor=None, organisation=hotel)
    context["insights"] = {"alloggiati_day": line.service_date}
