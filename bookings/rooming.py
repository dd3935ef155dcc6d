"""Participants and rooming lists of a booking: add, edit, remove, and a CSV upload that
replaces the whole list or changes nothing.

The same checks guard a single edit and an upload: a room holds at most its unit type's
maximum occupancy, a group uses at most the units it booked of each type, no more people than
the booked persons, and no more group leaders than the free places the lines got."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operators.models import UnitType

from .models import (
    ACTIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingLine,
    LineKind,
    LineStatus,
    Participant,
)

# ISO 3166-1 alpha-2, plus XK (Kosovo), which the police guest reporting also accepts.
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
    DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR
    GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM
    KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP
    MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST
    SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
    VI VN VU WF WS YE YT ZA ZM ZW XK"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())

CSV_COLUMNS = (
    "first_name",
    "last_name",
    "nationality",
    "birth_date",
    "document_type",
    "document_number",
    "dietary_needs",
    "accessibility_needs",
    "room",
    "room_type",
    "leader",
)
REQUIRED_COLUMNS = ("first_name", "last_name")
MAX_UPLOAD_BYTES = 1_000_000
MAX_ROWS = 2000
TRUE_VALUES = {"1", "y", "yes", "true", "x", "si", "sì", "s", "leader", "capogruppo"}
FALSE_VALUES = {"", "0", "n", "no", "false"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "nationality",
    "birth_date",
    "document_type",
    "document_number",
    "dietary_needs",
    "accessibility_needs",
    "room",
    "unit_type",
    "is_leader",
)


def validate_nationality(value: str) -> str:
    """The ISO 3166-1 alpha-2 code in capitals, or a ValidationError."""
    code = (value or "").strip().upper()
    if code and code not in ISO_COUNTRIES:
        raise ValidationError(
            _("“%(value)s” is not an ISO country code (two letters, e.g. IT, DE, GB).")
            % {"value": value}
        )
    return code


def parse_birth_date(value: str, *, today: date | None = None) -> date | None:
    """A birth date as YYYY-MM-DD or DD/MM/YYYY; empty is allowed (not known)."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if parsed > (today or timezone.localdate()):
            raise ValidationError(_("The birth date %(d)s is in the future.") % {"d": value})
        if parsed.year < 1900:
            raise ValidationError(_("The birth date %(d)s is not plausible.") % {"d": value})
        return parsed
    raise ValidationError(
        _("“%(value)s” is not a date: use YYYY-MM-DD or DD/MM/YYYY.") % {"value": value}
    )


# --- what the booking allows ---------------------------------------------------------------


@dataclass
class RoomingLimits:
    """What the booking's active lines booked: persons, free places, units per unit type."""

    persons: int
    free_places: int
    units: dict[int, int] = field(default_factory=dict)
    unit_types: dict[int, UnitType] = field(default_factory=dict)

    def match_unit_type(self, name: str) -> UnitType | None:
        wanted = (name or "").strip().casefold()
        for unit_type in self.unit_types.values():
            names = {unit_type.name, unit_type.name_it, unit_type.name_en}
            if wanted in {(n or "").strip().casefold() for n in names if n}:
                return unit_type
        return None


def _free_places(line: BookingLine) -> int:
    return sum(
        int(entry.get("quantity") or 0)
        for entry in line.price_breakdown or []
        if entry.get("category") == "free_place"
    )


def rooming_limits(booking: Booking) -> RoomingLimits:
    """Persons and free places are the largest of any active line (the same people take every
    service); units are summed per unit type over the active accommodation lines."""
    lines = list(
        booking.lines.filter(status__in=(LineStatus.ACTIVE, LineStatus.COMPLETED)).select_related(
            "unit_type"
        )
    )
    units: dict[int, int] = defaultdict(int)
    unit_types: dict[int, UnitType] = {}
    for line in lines:
        if line.kind == LineKind.ACCOMMODATION and line.unit_type_id:
            units[line.unit_type_id] += line.quantity
            unit_types[line.unit_type_id] = line.unit_type
    return RoomingLimits(
        persons=max((ln.persons for ln in lines), default=0),
        free_places=max((_free_places(ln) for ln in lines), default=0),
        units=dict(units),
        unit_types=unit_types,
    )


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "—",
            "message": self.message,
        }


class RoomingListInvalid(ValidationError):
    """The upload has errors: nothing was imported. `row_errors` lists them row by row."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = row_errors
        super().__init__({"file": [str(e) for e in row_errors]})


def _list_problems(
    people: list[tuple[int, Participant]], limits: RoomingLimits
) -> tuple[list[RowError], list[str]]:
    """Cross-row checks over the whole would-be list: (errors, notes). `people` pairs a row
    number (or a participant pk for single edits) with the participant."""
    errors: list[RowError] = []
    notes: list[str] = []
    if len(people) > limits.persons:
        for row, _person in people[limits.persons :]:
            errors.append(
                RowError(
                    row,
                    "",
                    _("More participants than the %(n)s persons booked.") % {"n": limits.persons},
                )
            )
    occupants: dict[str, int] = defaultdict(int)
    room_type: dict[str, int] = {}
    rooms_of_type: dict[int, list[str]] = defaultdict(list)
    for row, person in people:
        if not person.room or person.unit_type_id is None:
            continue  # no room, or its room type is already reported as unknown
        key = person.room.strip().casefold()
        if key in room_type and room_type[key] != person.unit_type_id:
            errors.append(
                RowError(
                    row,
                    "room_type",
                    _("Room %(room)s is given two different room types.") % {"room": person.room},
                )
            )
            continue
        room_type[key] = person.unit_type_id
        unit_type = limits.unit_types.get(person.unit_type_id)
        if unit_type is None:
            continue
        occupants[key] += 1
        if occupants[key] == unit_type.max_occupancy + 1:
            errors.append(
                RowError(
                    row,
                    "room",
                    _("Room %(room)s has more people than a %(type)s takes (%(max)s).")
                    % {"room": person.room, "type": unit_type.name, "max": unit_type.max_occupancy},
                )
            )
        if key not in rooms_of_type[unit_type.pk]:
            rooms_of_type[unit_type.pk].append(key)
            booked = limits.units.get(unit_type.pk, 0)
            if len(rooms_of_type[unit_type.pk]) == booked + 1:
                errors.append(
                    RowError(
                        row,
                        "room",
                        _("More rooms of type %(type)s than the %(n)s booked.")
                        % {"type": unit_type.name, "n": booked},
                    )
                )
    leaders = [(row, p) for row, p in people if p.is_leader]
    if leaders and limits.free_places == 0:
        notes.append(
            _("This booking has no free places: the %(n)s group leader(s) pay as participants.")
            % {"n": len(leaders)}
        )
    elif len(leaders) > limits.free_places:
        for row, _person in leaders[limits.free_places :]:
            errors.append(
                RowError(
                    row,
                    "leader",
                    _("More group leaders than the %(n)s free places of this booking.")
                    % {"n": limits.free_places},
                )
            )
    return errors, notes


def _ensure_editable(booking: Booking) -> None:
    if booking.status not in ACTIVE_STATUSES:
        raise ValidationError(
            {
                "booking": _("The participants of a %(s)s booking cannot be changed.")
                % {"s": booking.get_status_display().lower()}
            }
        )


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking.pk)


def _event(booking, *, action, actor, data=None) -> None:
    """Record the change, and touch the booking so that its cached voucher is regenerated."""
    Booking.objects.filter(pk=booking.pk).update(updated_at=timezone.now())
    BookingEvent.objects.create(
        booking=booking,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor else "system",
        data=data or {},
    )


def _clean_fields(person: Participant, limits: RoomingLimits) -> None:
    """Field checks of one participant, as a ValidationError keyed by model field."""
    errors = {}
    try:
        person.nationality = validate_nationality(person.nationality)
    except ValidationError as exc:
        errors["nationality"] = exc.messages
    if person.birth_date and person.birth_date > timezone.localdate():
        errors["birth_date"] = [_("The birth date is in the future.")]
    person.room = (person.room or "").strip()
    if person.unit_type_id and person.unit_type_id not in limits.unit_types:
        errors["unit_type"] = [_("This room type is not booked on this booking.")]
    if person.room and not person.unit_type_id:
        if len(limits.unit_types) == 1:
            person.unit_type_id = next(iter(limits.unit_types))
        else:
            errors["unit_type"] = [_("Give the room type of room %(r)s.") % {"r": person.room}]
    if person.unit_type_id and not person.room:
        errors["room"] = [_("Give the room (a number or a label) for this room type.")]
    try:
        person.full_clean(exclude=["booking", "line", "unit_type"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _check_single(booking: Booking, person: Participant, limits: RoomingLimits) -> list[str]:
    """Run the list checks with the edited participant in place; errors name its fields."""
    others = [
        (p.pk, p)
        for p in booking.participants.filter(cancelled=False).exclude(pk=person.pk).order_by("pk")
    ]
    errors, notes = _list_problems([*others, (person.pk or 0, person)], limits)
    mine = [e for e in errors if e.row == (person.pk or 0)]
    if mine:
        column_to_field = {"room_type": "unit_type", "leader": "is_leader", "": "__all__"}
        raised: dict[str, list[str]] = defaultdict(list)
        for e in mine:
            raised[column_to_field.get(e.column, e.column)].append(e.message)
        raise ValidationError(dict(raised))
    return notes


def participant_add(*, booking: Booking, actor=None, **data) -> Participant:
    """Add one participant; `data` holds the fields of EDITABLE_FIELDS."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _locked(booking)
        _ensure_editable(locked)
        limits = rooming_limits(locked)
        person = Participant(booking=locked, **data)
        _clean_fields(person, limits)
        _check_single(locked, person, limits)
        person.save()
        _event(locked, action="participant_add", actor=actor, data={"participant": person.pk})
    return person


def participant_update(*, participant: Participant, actor=None, **data) -> Participant:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _locked(participant.booking)
        _ensure_editable(locked)
        person = Participant.objects.get(pk=participant.pk, booking=locked)
        if person.cancelled:
            raise ValidationError({"participant": _("This participant was cancelled.")})
        limits = rooming_limits(locked)
        for key, value in data.items():
            setattr(person, key, value)
        _clean_fields(person, limits)
        _check_single(locked, person, limits)
        person.save()
        _event(locked, action="participant_edit", actor=actor, data={"participant": person.pk})
    return person


def participant_remove(*, participant: Participant, actor=None) -> None:
    """Take a name off the list (the booked pax do not change: see participants_cancel)."""
    with transaction.atomic():
        locked = _locked(participant.booking)
        _ensure_editable(locked)
        deleted, _rows = Participant.objects.filter(
            pk=participant.pk, booking=locked, cancelled=False
        ).delete()
        if not deleted:
            raise ValidationError({"participant": _("Unknown or cancelled participant.")})
        _event(
            locked,
            action="participant_remove",
            actor=actor,
            data={"participant": participant.pk, "name": str(participant)},
        )


# --- CSV upload ----------------------------------------------------------------------------


@dataclass
class RoomingImport:
    participants: list[Participant]
    notes: list[str]


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _parse_leader(value: str) -> bool:
    value = (value or "").strip().casefold()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ValidationError(_("Write yes or no (or 1 / 0)."))


def _read_rows(content: bytes) -> tuple[list[tuple[int, dict]], list[RowError]]:
    if len(content) > MAX_UPLOAD_BYTES:
        return [], [RowError(1, "", _("The file is larger than 1 MB."))]
    text = _decode(content)
    if not text.strip():
        return [], [RowError(1, "", _("The file is empty."))]
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    errors = [
        RowError(1, name, _("Unknown column “%(c)s”.") % {"c": name})
        for name in header
        if name and name not in CSV_COLUMNS
    ]
    errors += [
        RowError(1, name, _("The column “%(c)s” is missing.") % {"c": name})
        for name in REQUIRED_COLUMNS
        if name not in header
    ]
    if errors:
        return [], errors
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            errors.append(RowError(number, "", _("More values than columns.")))
            continue
        rows.append((number, {name: v.strip() for name, v in zip(header, values, strict=False)}))
        if len(rows) > MAX_ROWS:
            return [], [RowError(number, "", _("At most %(n)s rows.") % {"n": MAX_ROWS})]
    return rows, errors


def _participant_from_row(
    booking: Booking, number: int, row: dict, limits: RoomingLimits
) -> tuple[Participant, list[RowError]]:
    errors: list[RowError] = []
    person = Participant(
        booking=booking,
        first_name=row.get("first_name", ""),
        last_name=row.get("last_name", ""),
        document_type=row.get("document_type", ""),
        document_number=row.get("document_number", ""),
        dietary_needs=row.get("dietary_needs", ""),
        accessibility_needs=row.get("accessibility_needs", ""),
        room=row.get("room", ""),
    )
    try:
        person.nationality = validate_nationality(row.get("nationality", ""))
    except ValidationError as exc:
        errors.append(RowError(number, "nationality", exc.messages[0]))
    try:
        person.birth_date = parse_birth_date(row.get("birth_date", ""))
    except ValidationError as exc:
        errors.append(RowError(number, "birth_date", exc.messages[0]))
    try:
        person.is_leader = _parse_leader(row.get("leader", ""))
    except ValidationError as exc:
        errors.append(RowError(number, "leader", exc.messages[0]))
    room_type = row.get("room_type", "")
    if room_type:
        unit_type = limits.match_unit_type(room_type)
        if unit_type is None:
            booked = ", ".join(str(u.name) for u in limits.unit_types.values()) or "—"
            errors.append(
                RowError(
                    number,
                    "room_type",
                    _("Unknown room type “%(t)s” (booked: %(booked)s).")
                    % {"t": room_type, "booked": booked},
                )
            )
        else:
            person.unit_type = unit_type
    if person.room and not room_type:
        if len(limits.unit_types) == 1:
            person.unit_type = next(iter(limits.unit_types.values()))
        else:
            errors.append(RowError(number, "room_type", _("Give the room type of this room.")))
    if room_type and not person.room:
        errors.append(RowError(number, "room", _("Give the room (a number or a label).")))
    try:
        person.full_clean(exclude=["booking", "line", "unit_type", "nationality", "birth_date"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.extend(RowError(number, key, m) for m in messages)
    return person, errors


def rooming_list_import(*, booking: Booking, content: bytes, actor=None) -> RoomingImport:
    """Replace the booking's participants with the rows of a CSV rooming or name list.
    Any error in any row raises RoomingListInvalid with every error and imports nothing."""
    with transaction.atomic():
        locked = _locked(booking)
        _ensure_editable(locked)
        limits = rooming_limits(locked)
        rows, errors = _read_rows(content)
        people: list[tuple[int, Participant]] = []
        for number, row in rows:
            person, row_errors = _participant_from_row(locked, number, row, limits)
            errors += row_errors
            people.append((number, person))
        if not people and not errors:
            errors.append(RowError(2, "", _("The list has no participants.")))
        list_errors, notes = _list_problems(people, limits)
        errors += list_errors
        if errors:
            raise RoomingListInvalid(sorted(errors, key=lambda e: (e.row, e.column)))
        locked.participants.filter(cancelled=False).delete()
        created = Participant.objects.bulk_create([p for _n, p in people])
        _event(
            locked,
            action="rooming_list_import",
            actor=actor,
            data={"participants": len(created), "notes": notes},
        )
    return RoomingImport(created, notes)


def rooming_list_csv(booking: Booking) -> str:
    """The current list in the upload format (a template to fill in, or to round-trip)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in booking.participants.filter(cancelled=False).select_related("unit_type"):
        writer.writerow(
            [
                p.first_name,
                p.last_name,
                p.nationality,
                p.birth_date.isoformat() if p.birth_date else "",
                p.document_type,
                p.document_number,
                p.dietary_needs,
                p.accessibility_needs,
                p.room,
                p.unit_type.name if p.unit_type else "",
                "yes" if p.is_leader else "",
            ]
        )
    return out.getvalue()
