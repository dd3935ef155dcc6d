"""Demo data of the IAT network: offices with seasonal hours, material, a month of contacts.
Idempotent: offices and material by natural key; contacts only when the office has none."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation
from places.models import Comune

from .models import (
    Contact,
    Material,
    MaterialStock,
    Office,
    OpeningException,
    OpeningHours,
    OpeningSeason,
)

OFFICES = [
    # organisation slug, office slug, name, comune, address, CAP, lat, lng, languages, services
    (
        "iat-lucca-centro",
        "iat-lucca-centro",
        "IAT Lucca Centro",
        "Lucca",
        "Piazza Santa Maria 35",
        "55100",
        "43.846560",
        "10.503850",
        "it,en,de,fr",
        (1, 1, 1, 1),
    ),
    (
        "infopoint-stazione-lucca",
        "infopoint-stazione",
        "Infopoint Stazione di Lucca",
        "Lucca",
        "Piazzale Ricasoli",
        "55100",
        "43.837080",
        "10.507700",
        "it,en",
        (1, 1, 1, 0),
    ),
    (
        "iat-altopascio",
        "iat-altopascio",
        "IAT Altopascio",
        "Altopascio",
        "Piazza Ospitalieri 1",
        "55011",
        "43.816200",
        "10.676900",
        "it,en,fr",
        (1, 0, 0, 0),
    ),
]
SUMMER = [(d, time(9), time(19)) for d in range(7)]
WINTER = [(d, time(9, 30), time(13)) for d in range(6)] + [
    (d, time(14), time(17, 30)) for d in range(6)
]
MATERIALS = [
    ("Mappa di Lucca e delle Mura", "map"),
    ("Piana di Lucca: ville e giardini", "brochure"),
    ("Via Francigena nella Piana", "guide"),
    ("Eventi del mese", "events"),
]
ORIGINS = [
    "IT-LU",
    "IT-FI",
    "IT-MI",
    "IT-RM",
    "IT-TO",
    "IT-BO",
    "DE",
    "FR",
    "GB",
    "US",
    "NL",
    "ES",
    "CH",
    "AT",
    "BE",
    "PL",
    "AU",
    "CA",
    "JP",
    "BR",
]
LANG_BY_ORIGIN = {
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "BE": "fr",
    "ES": "es",
    "NL": "nl",
    "BR": "pt",
}


def seed(context: dict) -> None:
    rng = random.Random(15)
    offices = []
    for org_slug, slug, name, comune, address, cap, lat, lng, langs, flags in OFFICES:
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            continue
        office, created = Office.objects.update_or_create(
            slug=slug,
            defaults={
                "organisation": organisation,
                "name": name,
                "comune": Comune.objects.get(name=comune),
                "address": address,
                "postcode": cap,
                "latitude": Decimal(lat),
                "longitude": Decimal(lng),
                "languages": langs,
                "phone": "+39 0583 583150",
                "email": f"{slug}@pianadilucca.example",
                "has_wifi": bool(flags[0]),
                "is_accessible": bool(flags[1]),
                "has_luggage": bool(flags[2]),
                "has_ticketing": bool(flags[3]),
            },
        )
        offices.append(office)
        if created or not office.seasons.exists():
            _hours(office)
        for i, (mname, kind) in enumerate(MATERIALS):
            material, _ = Material.objects.get_or_create(name=mname, defaults={"kind": kind})
            for lang in office.language_list:
                MaterialStock.objects.get_or_create(
                    office=office,
                    material=material,
                    language=lang,
                    defaults={"quantity": 40 + 130 * ((i + len(lang)) % 3), "reorder_level": 60},
                )
        if not office.contacts.exists():
            _contacts(office, rng)
    seed_coordination(offices)
    context["iat"] = {"offices": offices}


def _hours(office):
    summer = OpeningSeason.objects.create(
        office=office, name="Estate", start_month=4, start_day=1, end_month=10, end_day=31
    )
    winter = OpeningSeason.objects.create(
        office=office, name="Inverno", start_month=11, start_day=1, end_month=3, end_day=31
    )
    OpeningHours.objects.bulk_create(
        [OpeningHours(season=summer, weekday=d, opens=o, closes=c) for d, o, c in SUMMER]
        + [OpeningHours(season=winter, weekday=d, opens=o, closes=c) for d, o, c in WINTER]
    )
    year = timezone.localdate().year
    for month, day, note in [(12, 25, "Natale"), (1, 1, "Capodanno")]:
        OpeningException.objects.get_or_create(
            office=office,
            date=datetime(year + (month == 1), month, day).date(),
            defaults={"closed": True, "note": note},
        )


def _contacts(office, rng):
    today = timezone.localdate()
    rows = []
    for back in range(400):
        day = today - timedelta(days=back)
        busy = 0.6 + 0.8 * (day.month in (4, 5, 6, 7, 8, 9, 10))
        n = rng.randint(3, 14) if office.comune.name == "Lucca" else rng.randint(0, 4)
        for _n in range(round(n * busy)):
            origin = rng.choice(ORIGINS)
            moment = timezone.make_aware(
                datetime.combine(day, time(rng.randint(9, 18), rng.randint(0, 59)))
            )
            rows.append(
                Contact(
                    office=office,
                    at=moment,
                    channel=rng.choices(["desk", "phone", "email", "chat"], [80, 10, 7, 3])[0],
                    origin=origin,
                    party_size=rng.choice([1, 1, 2, 2, 2, 3, 4]),
                    language="it" if origin.startswith("IT-") else LANG_BY_ORIGIN.get(origin, "en"),
                    topics=(["complaint"] if rng.random() < 0.01 else [])
                    + sorted(
                        rng.sample(
                            [
                                "transport",
                                "itineraries",
                                "museums",
                                "events",
                                "excursions",
                                "accommodation",
                                "food_wine",
                            ],
                            rng.randint(1, 3),
                        )
                    ),
                )
            )
    Contact.objects.bulk_create(rows)


def seed_coordination(offices) -> None:

    from accounts.models import Membership, User

    from . import services_coordination as services
    from .models import Announcement, Audit, Shift, TrainingSession

    today = timezone.localdate()
    admin = User.objects.filter(is_superuser=True).first()
    if not Announcement.objects.exists():
        for title, body, audience in [
            (
                "Nuove mappe della Via Francigena",
                "Sono arrivate 2.000 mappe in it/en/fr: "
                "ritiratele al magazzino di Lucca entro venerdì.",
                "iat",
            ),
            (
                "Lucca Comics & Games: orari straordinari",
                "Dal 29 ottobre al 2 novembre gli "
                "uffici IAT del centro restano aperti fino alle 22.",
                "all",
            ),
        ]:
            services.announcement_publish(title=title, body=body, audience=audience, author=admin)
    if not TrainingSession.objects.exists():
        lucca = Comune.objects.get(name="Lucca")
        past = TrainingSession.objects.create(
            title="Accoglienza in lingua: il visitatore tedesco",
            comune=lucca,
            venue="Palazzo Ducale, Sala Accademia",
            trainer="Dr. Heike Baumann",
            starts_at=timezone.now() - timedelta(days=20),
            hours=Decimal("3.0"),
            capacity=20,
        )
        TrainingSession.objects.create(
            title="Raccontare le leggende della Piana",
            comune=Comune.objects.get(name="Capannori"),
            venue="Villa Reale di Marlia",
            trainer="Gruppo Guide Autorizzate",
            starts_at=timezone.now() + timedelta(days=18),
            hours=Decimal("4.0"),
            capacity=25,
        )
        agent = User.objects.filter(email="iat.lucca@pianadilucca.example").first()
        if agent and offices:
            registration = services.training_register(
                session=past, user=agent, organisation=offices[0].organisation
            )
            services.training_mark_attendance(session=past, attended_ids={registration.pk})
    if offices and not Shift.objects.exists():
        start = today - timedelta(days=today.weekday())
        staff = [
            m.user
            for m in Membership.objects.filter(organisation=offices[0].organisation).select_related(
                "user"
            )
        ]
        for i in range(12):
            if staff:
                day = start + timedelta(days=i)
                services.shift_add(
                    office=offices[0],
                    user=staff[0],
                    date=day,
                    starts=time(9),
                    ends=time(14 if i % 2 else 19),
                )
    if offices and not Audit.objects.exists():
        first = services.audit_record(
            office=offices[0],
            auditor=admin,
            manual_points={"signage": 1, "digital": 2},
            notes="Prima verifica: segnaletica insufficiente.",
        )
        first.audited_on = today - timedelta(days=180)
        first.save(update_fields=["audited_on"])
        services.audit_record(
            office=offices[0],
            auditor=admin,
            manual_points={"signage": 3, "digital": 3},
            notes="Nuovi cartelli dalla stazione; profilo Google aggiornato.",
        )
