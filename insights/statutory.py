"""Statutory reports from the platform's accommodation bookings: guests' document data (read
and written here only, every access logged, purged after the retention period), the
Alloggiati Web daily file (police guest reporting, TULPS art. 109) and the ISTAT C/59 monthly
movement per establishment. Record layout and code tables: data/README.md."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from iat import codes

from . import tables
from .errors import GuestDataIncomplete, GuestDataInvalid
from .models import LEADER_TYPES, DocumentAccess, GuestDocument, GuestType

SOLD = ("confirmed", "completed")
#: Days the document data is kept after departure (settings.GUEST_DOCUMENT_RETENTION_DAYS).
DEFAULT_RETENTION_DAYS = 30

# (field, start (1-based), length): the published Alloggiati Web record of 168 characters.
ALLOGGIATI_LAYOUT = [
    ("guest_type", 1, 2),
    ("arrival", 3, 10),
    ("days", 13, 2),
    ("surname", 15, 50),
    ("name", 65, 30),
    ("sex", 95, 1),
    ("birth_date", 96, 10),
    ("birth_comune", 106, 9),
    ("birth_province", 115, 2),
    ("birth_state", 117, 9),
    ("citizenship", 126, 9),
    ("document_type", 135, 5),
    ("document_number", 140, 20),
    ("document_place", 160, 9),
]
RECORD_LENGTH = 168


def retention_days() -> int:
    return getattr(settings, "GUEST_DOCUMENT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


def _log(*, actor, organisation, action, participant=None, detail=""):
    DocumentAccess.objects.create(
        user=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        action=action,
        participant_id=getattr(participant, "pk", None),
        booking_reference=participant.booking.reference if participant else "",
        detail=detail[:200],
    )


def accommodation_lines(*, establishment, day_from: date, day_to: date):
    """Sold accommodation lines of an establishment arriving between two days (inclusive)."""
    from bookings.models import BookingLine

    return (
        BookingLine.objects.filter(
            supplier=establishment,
            kind="accommodation",
            booking__status__in=SOLD,
            service_date__gte=day_from,
            service_date__lte=day_to,
        )
        .exclude(status="cancelled")
        .select_related("booking", "product")
        .order_by("service_date", "booking__reference", "pk")
    )


def guests_of_line(line):
    """The participants staying on an accommodation line: those assigned to it, or the
    booking's unassigned participants."""
    from bookings.models import Participant

    return list(
        Participant.objects.filter(booking_id=line.booking_id, cancelled=False)
        .filter(Q(line=line) | Q(line__isnull=True))
        .select_related("booking", "guest_document")
        .order_by("-is_leader", "last_name", "first_name", "pk")
    )


@dataclass
class GuestInput:
    guest_type: str
    sex: str
    birth_date: date
    birth_state: str
    citizenship: str
    birth_comune: str = ""
    birth_province: str = ""
    document_type: str = ""
    document_number: str = ""
    document_place: str = ""
    residence: str = ""


def residence_problem(code: str) -> str:
    """Why a residence code is not one C/59 can use ("" when it is): a foreign country, or an
    Italian province (a region or plain "IT" is not enough)."""
    code = (code or "").strip().upper()
    if not code:
        return _("Give the country of residence (for Italy, the province).")
    if code == codes.ITALY or (codes.is_italian(code) and codes.region_of(code) == code):
        return _("Resident in Italy: give the province (e.g. IT-LU).")
    if not codes.is_valid_origin(code):
        return _("Unknown residence code.")
    return ""


def _check(data: GuestInput, *, require_residence: bool = True) -> dict[str, str]:
    errors = {}
    if require_residence and (problem := residence_problem(data.residence)):
        errors["residence"] = problem
    if data.guest_type not in GuestType.values:
        errors["guest_type"] = _("Choose the guest type.")
    if data.sex not in ("1", "2"):
        errors["sex"] = _("Choose the sex as on the document.")
    if not data.birth_date or data.birth_date > timezone.localdate():
        errors["birth_date"] = _("Give the birth date.")
    if data.birth_state not in tables.states():
        errors["birth_state"] = _("Unknown state code.")
    if data.citizenship not in tables.states():
        errors["citizenship"] = _("Unknown state code.")
    if data.birth_state == tables.ITALY:
        place = tables.comuni().get(data.birth_comune)
        if place is None:
            errors["birth_comune"] = _("Born in Italy: give the comune of birth.")
        elif data.birth_province != place["province"]:
            errors["birth_province"] = _("The province does not match the comune (%(p)s).") % {
                "p": place["province"]
            }
    elif data.birth_comune or data.birth_province:
        errors["birth_comune"] = _("Comune and province only for guests born in Italy.")
    if data.guest_type in LEADER_TYPES:
        if data.document_type not in tables.document_types():
            errors["document_type"] = _("Choose the document type.")
        if not data.document_number.strip() or len(data.document_number.strip()) > 20:
            errors["document_number"] = _("Give the document number (at most 20 characters).")
        if not tables.place_exists(data.document_place):
            errors["document_place"] = _("Give the issuing comune or state.")
    elif data.document_type or data.document_number or data.document_place:
        errors["document_type"] = _("Family and group members have no document in the report.")
    return errors


def guest_document_save(*, participant, data: GuestInput, actor, organisation) -> GuestDocument:
    """Validate and store one guest's document data; the access is logged."""
    errors = _check(data)
    if errors:
        exc = GuestDataInvalid(_("Check the guest's document data."))
        exc.errors = errors
        raise exc
    line = participant.line
    departure = (
        line.end_date
        if line and line.end_date
        else participant.booking.first_service_date or timezone.localdate()
    )
    with transaction.atomic():
        document, _created = GuestDocument.objects.update_or_create(
            participant=participant,
            defaults={
                **{
                    k: (v.strip().upper() if isinstance(v, str) else v)
                    for k, v in data.__dict__.items()
                },
                "collected_by": actor if getattr(actor, "is_authenticated", False) else None,
                "purge_after": departure + timedelta(days=retention_days()),
            },
        )
        _log(actor=actor, organisation=organisation, action="edit", participant=participant)
    return document


def guest_documents_log_view(*, participants, actor, organisation) -> None:
    for participant in participants:
        _log(actor=actor, organisation=organisation, action="view", participant=participant)


def _fixed(value: str, length: int) -> str:
    text = (value or "").encode("latin-1", "replace").decode("latin-1")
    return text[:length].ljust(length)


def alloggiati_record(*, participant, document: GuestDocument, arrival: date, days: int) -> str:
    leader = document.guest_type in LEADER_TYPES
    values = {
        "guest_type": document.guest_type,
        "arrival": arrival.strftime("%d/%m/%Y"),
        "days": f"{min(max(days, 1), 30):02d}",
        "surname": participant.last_name.upper(),
        "name": participant.first_name.upper(),
        "sex": document.sex,
        "birth_date": document.birth_date.strftime("%d/%m/%Y"),
        "birth_comune": document.birth_comune,
        "birth_province": document.birth_province,
        "birth_state": document.birth_state,
        "citizenship": document.citizenship,
        "document_type": document.document_type if leader else "",
        "document_number": document.document_number if leader else "",
        "document_place": document.document_place if leader else "",
    }
    record = "".join(_fixed(values[name], length) for name, _start, length in ALLOGGIATI_LAYOUT)
    assert len(record) == RECORD_LENGTH
    return record


def alloggiati_problems(*, establishment, day: date) -> list[tuple[str, str, str]]:
    """(booking reference and guest, field, message) for every guest that stops the file."""
    problems = []
    for line in accommodation_lines(establishment=establishment, day_from=day, day_to=day):
        guests = guests_of_line(line)
        if len(guests) < line.persons:
            problems.append(
                (
                    line.booking.reference,
                    _("guests"),
                    _("%(n)s of %(total)s guests are named.")
                    % {"n": len(guests), "total": line.persons},
                )
            )
        leaders = 0
        for guest in guests:
            who = f"{line.booking.reference} · {guest.last_name} {guest.first_name}"
            document = getattr(guest, "guest_document", None)
            if document is None:
                problems.append((who, _("document data"), _("Missing.")))
                continue
            leaders += document.guest_type in LEADER_TYPES
            for field, message in _check(
                GuestInput(**{k: getattr(document, k) for k in GuestInput.__dataclass_fields__}),
                require_residence=False,  # not in the police record; C/59 falls back
            ).items():
                problems.append((who, field, message))
        if guests and leaders != 1:
            problems.append(
                (
                    line.booking.reference,
                    _("guest type"),
                    _("Exactly one single guest, head of family or group leader per stay."),
                )
            )
    return problems


def alloggiati_file(*, establishment, day: date, actor) -> bytes:
    """The day's file: one record per guest arriving, leader first. Refused while a guest
    misses a required field."""
    problems = alloggiati_problems(establishment=establishment, day=day)
    if problems:
        raise GuestDataIncomplete(problems)
    records = []
    for line in accommodation_lines(establishment=establishment, day_from=day, day_to=day):
        days = (line.end_date - line.service_date).days if line.end_date else 1
        guests = sorted(
            guests_of_line(line), key=lambda g: g.guest_document.guest_type not in LEADER_TYPES
        )
        for guest in guests:
            records.append(
                alloggiati_record(
                    participant=guest,
                    document=guest.guest_document,
                    arrival=line.service_date,
                    days=days,
                )
            )
    _log(
        actor=actor,
        organisation=establishment,
        action="alloggiati_file",
        detail=f"{day.isoformat()}: {len(records)} records",
    )
    return "".join(r + "\r\n" for r in records).encode("latin-1")


#: Where a guest's C/59 residence comes from.
FROM_RESIDENCE, FROM_NATIONALITY, UNKNOWN = "residenza", "nazionalita", "ND"


def guest_residence(guest) -> tuple[str, str]:
    """(residence code, source): the recorded residence; else, visibly, the nationality
    (data collected before residence was asked); else "ND"."""
    document = getattr(guest, "guest_document", None)
    if document is not None and document.residence:
        return document.residence, FROM_RESIDENCE
    if guest.nationality:
        return guest.nationality.upper(), FROM_NATIONALITY
    return UNKNOWN, UNKNOWN


def c59_rows(*, establishment, year: int, month: int) -> list[dict]:
    """Arrivals, departures and presences of the month per residence, as ISTAT counts them:
    the guest's country of residence, for Italians the province and its region. Guests
    without a recorded residence count under their nationality, marked as such; guests not
    named count under "ND"."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    from bookings.models import BookingLine

    lines = BookingLine.objects.filter(
        supplier=establishment,
        kind="accommodation",
        booking__status__in=SOLD,
        service_date__lt=end,
        end_date__gt=start,
    ).exclude(status="cancelled")
    figures = defaultdict(lambda: [0, 0, 0])
    for line in lines:
        guests = guests_of_line(line)
        residences = [guest_residence(g) for g in guests][: line.persons]
        residences += [(UNKNOWN, UNKNOWN)] * (line.persons - len(residences))
        nights = max(0, (min(line.end_date, end) - max(line.service_date, start)).days)
        for key in residences:
            cell = figures[key]
            cell[0] += start <= line.service_date < end
            cell[1] += start <= line.end_date < end
            cell[2] += nights
    return [
        {
            "residence": code,
            "country": codes.ITALY if codes.is_italian(code) else code,
            "region": codes.region_of(code) if codes.is_italian(code) else "",
            "province": code if codes.is_italian(code) else "",
            "source": source,
            "arrivals": v[0],
            "departures": v[1],
            "presences": v[2],
        }
        for (code, source), v in sorted(figures.items())
    ]


def c59_fallbacks(rows: list[dict]) -> int:
    """Arrivals counted by nationality or unknown for want of a recorded residence."""
    return sum(r["arrivals"] for r in rows if r["source"] != FROM_RESIDENCE)


def c59_csv(*, establishment, year: int, month: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "anno",
            "mese",
            "codice_struttura",
            "residenza",
            "stato",
            "regione",
            "provincia",
            "fonte_residenza",
            "arrivi",
            "partenze",
            "presenze",
        ]
    )
    for row in c59_rows(establishment=establishment, year=year, month=month):
        writer.writerow(
            [
                year,
                month,
                establishment.slug,
                row["residence"],
                row["country"],
                row["region"],
                row["province"],
                row["source"],
                row["arrivals"],
                row["departures"],
                row["presences"],
            ]
        )
    return out.getvalue().encode("utf-8")


def guest_documents_purge(*, today: date | None = None) -> int:
    """Delete the document data past its retention date; the purge is logged."""
    today = today or timezone.localdate()
    with transaction.atomic():
        expired = GuestDocument.objects.filter(purge_after__lt=today)
        count = expired.count()
        expired.delete()
        if count:
            DocumentAccess.objects.create(action="purge", detail=f"{count} guests")
    return count
