"""Demo organisations and people of the Piana di Lucca (`manage.py seed_demo`). Idempotent."""

import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from stdnum import iban as std_iban
from stdnum import luhn

from places.models import Comune

from .models import ApiKey, Membership, Organisation, Role, User, hash_api_key
from .services import DmcGroup, dmc_groups_ensure

DEMO_PASSWORD = "piana-demo-2026"
# A fixed demo key so that `make run` can print it every time; only its hash is stored.
DEMO_TRADE_API_KEY = "pdl_demo0001_TuscanyDiscoveryToursDemoKeyDoNotUseInProduction"


def partita_iva(seed: int) -> str:
    base = f"{seed:07d}" + "046"  # 7-digit serial + office code (Lucca)
    return base + luhn.calc_check_digit(base)


def italian_iban(seed: int) -> str:
    bban = "X" + "05034" + "70130" + f"{seed:012d}"
    return "IT" + std_iban.calc_check_digits("IT00" + bban) + bban


@dataclass
class DemoOrg:
    slug: str
    name: str
    kind: str
    subkind: str
    comune: str | None
    address: str
    description_it: str
    description_en: str


OPERATORS = [
    # Accommodation
    DemoOrg(
        "hotel-san-frediano",
        "Hotel San Frediano",
        "operator",
        "accommodation",
        "Lucca",
        "Via degli Angeli 12",
        "Hotel tre stelle in un palazzo del Settecento, a due passi da San Frediano.",
        "Three-star hotel in an eighteenth-century palazzo, a stone's throw from San Frediano.",
    ),
    DemoOrg(
        "bb-le-mura",
        "B&B Le Mura",
        "operator",
        "accommodation",
        "Lucca",
        "Via della Fratta 30",
        "Quattro camere con vista sui bastioni, colazione con dolci lucchesi fatti in casa.",
        "Four rooms overlooking the ramparts, breakfast with home-made Lucchese cakes.",
    ),
    DemoOrg(
        "agriturismo-colle-verde",
        "Agriturismo Colle Verde",
        "operator",
        "accommodation",
        "Montecarlo",
        "Via di Montecarlo 44",
        "Agriturismo tra vigne e ulivi sulle colline di Montecarlo, con piscina panoramica.",
        "Farm stay among vineyards and olive groves on the Montecarlo hills, with a view pool.",
    ),
    DemoOrg(
        "villa-camelie-country-house",
        "Villa delle Camelie Country House",
        "operator",
        "accommodation",
        "Capannori",
        "Via del Centro 5, Sant'Andrea di Compito",
        "Dimora ottocentesca nel borgo delle camelie, appartamenti e camere nel parco.",
        "Nineteenth-century residence in the camellia village, apartments and rooms in the park.",
    ),
    DemoOrg(
        "ostello-francigena-altopascio",
        "Ostello della Francigena",
        "operator",
        "accommodation",
        "Altopascio",
        "Piazza Ospitalieri 3",
        "Ostello per pellegrini e ciclisti sulla Via Francigena, vicino alla Magione del Tau.",
        "Hostel for pilgrims and cyclists on the Via Francigena, near the Magione del Tau.",
    ),
    # Guides
    DemoOrg(
        "lucca-guide-autorizzate",
        "Lucca Guide Autorizzate",
        "operator",
        "guide",
        "Lucca",
        "Piazza San Michele 8",
        "Guide turistiche abilitate: le mura, le torri, Puccini e le leggende di Lucca.",
        "Licensed tour guides: the walls, the towers, Puccini and the legends of Lucca.",
    ),
    DemoOrg(
        "francigena-walking-guides",
        "Francigena Walking Guides",
        "operator",
        "guide",
        "Altopascio",
        "Via Cavour 21",
        "Accompagnatori escursionistici sulla Via Francigena e nelle Cerbaie.",
        "Hiking leaders on the Via Francigena and in the Cerbaie woods.",
    ),
    DemoOrg(
        "guide-valle-cartiere",
        "Guide della Valle delle Cartiere",
        "operator",
        "guide",
        "Villa Basilica",
        "Via Roma 2, Pracando",
        "Itinerari nella valle della carta, tra antiche cartiere e boschi di castagni.",
        "Walks in the paper valley, among old paper mills and chestnut woods.",
    ),
    DemoOrg(
        "guida-le-leggende-lucca",
        "Le Leggende di Lucca",
        "operator",
        "guide",
        "Lucca",
        "Via Fillungo 101",
        "Passeggiate serali tra i fantasmi e le leggende: Lucida Mansi e il diavolo.",
        "Evening walks through ghosts and legends: Lucida Mansi and the devil.",
    ),
    # Artisans
    DemoOrg(
        "cartiera-artigiana-villa-basilica",
        "Cartiera Artigiana di Villa Basilica",
        "operator",
        "artisan",
        "Villa Basilica",
        "Via della Cartiera 7",
        "Carta fatta a mano come nel Seicento: laboratori e vendita di quaderni e biglietti.",
        "Hand-made paper as in the seventeenth century: workshops and notebooks for sale.",
    ),
    DemoOrg(
        "bottega-ferro-porcari",
        "Bottega del Ferro di Porcari",
        "operator",
        "artisan",
        "Porcari",
        "Via Roma 150",
        "Fabbri da tre generazioni: oggetti in ferro battuto e corsi di forgiatura.",
        "Blacksmiths for three generations: wrought-iron objects and forging classes.",
    ),
    DemoOrg(
        "ceramiche-compitese",
        "Ceramiche del Compitese",
        "operator",
        "artisan",
        "Capannori",
        "Via di Sottomonte 18",
        "Laboratorio di ceramica a Capannori: tornio, decorazione e cottura raku.",
        "Pottery studio in Capannori: wheel, decoration and raku firing.",
    ),
    # Food producers
    DemoOrg(
        "fattoria-del-teso",
        "Fattoria Il Colle del Teso",
        "operator",
        "food_producer",
        "Montecarlo",
        "Via Poltroniera 9",
        "Vini Montecarlo DOC da agricoltura biologica, degustazioni in cantina.",
        "Organic Montecarlo DOC wines, tastings in the cellar.",
    ),
    DemoOrg(
        "frantoio-compitese",
        "Frantoio Sociale del Compitese",
        "operator",
        "food_producer",
        "Capannori",
        "Via di Tiglio 1",
        "Olio extravergine delle colline lucchesi, visite al frantoio durante la raccolta.",
        "Extra-virgin olive oil of the Lucca hills, mill visits during the harvest.",
    ),
    DemoOrg(
        "pasticceria-buccellato",
        "Pasticceria Il Buccellato",
        "operator",
        "food_producer",
        "Lucca",
        "Via San Paolino 60",
        "Il buccellato lucchese e la torta coi becchi, corsi di pasticceria tradizionale.",
        "Lucca's buccellato and 'torta coi becchi', traditional pastry classes.",
    ),
    DemoOrg(
        "cantina-montecarlo-rossi",
        "Cantina Colle Rosso",
        "operator",
        "food_producer",
        "Montecarlo",
        "Via della Stazione 33",
        "Piccola cantina di famiglia: Montecarlo Bianco e Rosso, vin santo.",
        "Small family winery: Montecarlo Bianco and Rosso, vin santo.",
    ),
    # Venues
    DemoOrg(
        "villa-delle-camelie-eventi",
        "Villa delle Camelie Eventi",
        "operator",
        "venue",
        "Capannori",
        "Via delle Camelie 2",
        "Villa storica per matrimoni ed eventi aziendali, giardino all'italiana.",
        "Historic villa for weddings and corporate events, Italian garden.",
    ),
    DemoOrg(
        "palazzo-dei-mercanti",
        "Palazzo dei Mercanti",
        "operator",
        "venue",
        "Lucca",
        "Via Santa Croce 40",
        "Sale affrescate per convegni e cene di gala nel centro storico.",
        "Frescoed halls for conferences and gala dinners in the historic centre.",
    ),
    DemoOrg(
        "teatro-porcari",
        "Auditorium di Porcari",
        "operator",
        "venue",
        "Porcari",
        "Piazza Orsi 1",
        "Auditorium da 300 posti per convegni, concerti e incentive.",
        "300-seat auditorium for conferences, concerts and incentives.",
    ),
    # Services
    DemoOrg(
        "lucca-bike-rental",
        "Lucca Bike Rental",
        "operator",
        "service",
        "Lucca",
        "Piazza Santa Maria 32",
        "Noleggio bici ed e-bike per il giro delle mura e la ciclovia del Serchio.",
        "Bike and e-bike rental for the walls and the Serchio cycle path.",
    ),
    DemoOrg(
        "transfer-piana-ncc",
        "Transfer Piana NCC",
        "operator",
        "service",
        "Porcari",
        "Via Puccini 200",
        "Noleggio con conducente: aeroporti di Pisa e Firenze, transfer per gruppi.",
        "Chauffeur service: Pisa and Florence airports, group transfers.",
    ),
    DemoOrg(
        "francigena-bike-altopascio",
        "Francigena Bike Altopascio",
        "operator",
        "service",
        "Altopascio",
        "Via Francesca Romea 10",
        "E-bike e assistenza per la Francigena, trasporto bagagli tra le tappe.",
        "E-bikes and support for the Francigena, luggage transfer between stages.",
    ),
]

TRADE = [
    DemoOrg(
        "tuscany-discovery-tours",
        "Tuscany Discovery Tours GmbH",
        "trade",
        "tour_operator",
        None,
        "Leopoldstraße 40, München",
        "Tour operator tedesco specializzato in gruppi culturali.",
        "German tour operator specialised in cultural groups.",
    ),
    DemoOrg(
        "viaggi-del-giglio",
        "Viaggi del Giglio Srl",
        "trade",
        "travel_agency",
        None,
        "Via dei Calzaiuoli 7, Firenze",
        "Agenzia di viaggi fiorentina: gite scolastiche e gruppi parrocchiali.",
        "Florentine travel agency: school trips and parish groups.",
    ),
    DemoOrg(
        "heritage-journeys",
        "Heritage Journeys Ltd",
        "trade",
        "tour_operator",
        None,
        "12 King's Road, London",
        "Tour operator britannico: viaggi enogastronomici e a piedi.",
        "British tour operator: food-and-wine and walking holidays.",
    ),
]

IAT = [
    DemoOrg(
        "iat-lucca-centro",
        "IAT Lucca Centro",
        "iat",
        "",
        "Lucca",
        "Piazza Santa Maria 35",
        "Ufficio informazioni turistiche nel centro storico di Lucca.",
        "Tourist information office in Lucca's historic centre.",
    ),
    DemoOrg(
        "infopoint-stazione-lucca",
        "Infopoint Stazione di Lucca",
        "iat",
        "",
        "Lucca",
        "Piazzale Ricasoli",
        "Punto informazioni alla stazione ferroviaria.",
        "Information point at the railway station.",
    ),
    DemoOrg(
        "iat-altopascio",
        "IAT Altopascio",
        "iat",
        "",
        "Altopascio",
        "Piazza Ospitalieri 1",
        "Accoglienza dei pellegrini della Via Francigena.",
        "Welcome desk for pilgrims on the Via Francigena.",
    ),
]

DMC = DemoOrg(
    "piana-di-lucca-dmc",
    "Piana di Lucca DMC",
    "dmc",
    "",
    "Lucca",
    "Cortile Carrara 1",
    "Destination Management Company della Piana di Lucca.",
    "Destination Management Company of the Piana di Lucca.",
)

FOREIGN_FISCAL = {
    "tuscany-discovery-tours": {
        "country": "DE",
        "vat_number": "DE129273398",
        "postcode": "80802",
        "city": "München",
    },
    "heritage-journeys": {
        "country": "GB",
        "vat_number": "GB980780684",
        "postcode": "SW3 4TR",
        "city": "London",
    },
}


@functools.cache
def _demo_password_hash() -> str:
    """The demo password hashed once: a password hash costs about a second on purpose, and
    thirty demo users with the same password were a third of the first start."""
    return make_password(DEMO_PASSWORD)


def _user(email: str, first: str, last: str, language: str = "it", **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=None,
            first_name=first,
            last_name=last,
            preferred_language=language,
            **extra,
        )
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _organisation(demo: DemoOrg, serial: int) -> Organisation:
    comuni = {c.name: c for c in Comune.objects.all()}
    comune = comuni.get(demo.comune) if demo.comune else None
    fields = {
        "name": demo.name,
        "kind": demo.kind,
        "subkind": demo.subkind,
        "description": demo.description_it + "\n\n" + demo.description_en,
        "email": f"info@{demo.slug}.example",
        "phone": f"+39 0583 {400000 + serial:06d}",
        "legal_name": demo.name
        if "Srl" in demo.name or "Ltd" in demo.name or "GmbH" in demo.name
        else f"{demo.name} Srl",
        "address": demo.address,
        "comune": comune,
        "city": comune.name if comune else "",
        "postcode": "55100" if comune and comune.name == "Lucca" else ("55012" if comune else ""),
        "country": "IT",
    }
    foreign = FOREIGN_FISCAL.get(demo.slug)
    if foreign:
        fields.update(foreign)
    else:
        piva = partita_iva(1000 + serial)
        fields.update(
            partita_iva=piva,
            codice_fiscale=piva,
            iban=italian_iban(serial),
            sdi_code=f"M5UX{serial:03d}",
        )
        if demo.slug == "viaggi-del-giglio":
            fields.update(postcode="50122", city="Firenze", comune=None)
    organisation, _created = Organisation.objects.update_or_create(slug=demo.slug, defaults=fields)
    organisation.full_clean()
    return organisation


def seed(context: dict) -> None:
    """Create the demo organisations and people; put the logins to print in the context."""
    groups = dmc_groups_ensure()
    logins = {}

    dmc = _organisation(DMC, 1)
    admin = _user(
        "admin@pianadilucca.example", "Chiara", "Bianchi", is_staff=True, is_superuser=True
    )
    Membership.objects.update_or_create(user=admin, organisation=dmc, defaults={"role": Role.OWNER})
    admin.groups.add(groups[DmcGroup.ADMIN])
    logins["DMC admin"] = admin.email
    for email, first, last, group in [
        ("prodotto@pianadilucca.example", "Marco", "Lenci", DmcGroup.PRODUCT_MANAGER),
        ("finanza@pianadilucca.example", "Giulia", "Pardini", DmcGroup.FINANCE),
    ]:
        user = _user(email, first, last, is_staff=True)
        Membership.objects.update_or_create(
            user=user, organisation=dmc, defaults={"role": Role.STAFF}
        )
        user.groups.add(groups[group])
        logins[f"DMC {Group.objects.get(name=group).name.lower()}"] = email

    first_names = [
        "Lorenzo",
        "Francesca",
        "Matteo",
        "Elena",
        "Andrea",
        "Sara",
        "Paolo",
        "Marta",
        "Giovanni",
        "Laura",
        "Stefano",
        "Ilaria",
        "Davide",
        "Valentina",
        "Simone",
        "Federica",
        "Luca",
        "Alessia",
        "Nicola",
        "Beatrice",
        "Riccardo",
        "Silvia",
    ]
    last_names = [
        "Puccetti",
        "Martinelli",
        "Del Carlo",
        "Giannini",
        "Lazzareschi",
        "Bertolucci",
        "Nieri",
        "Pieroni",
        "Franceschini",
        "Moriconi",
        "Lucchesi",
        "Barsotti",
        "Ghilarducci",
        "Bernardini",
        "Dinelli",
        "Tambellini",
        "Marchetti",
        "Paoli",
        "Fontana",
        "Raffaelli",
        "Landucci",
        "Orsi",
    ]
    first_by_subkind = {}
    for i, demo in enumerate(OPERATORS):
        organisation = _organisation(demo, 10 + i)
        user = _user(
            f"owner@{demo.slug}.example",
            first_names[i % len(first_names)],
            last_names[i % len(last_names)],
        )
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": Role.OWNER}
        )
        first_by_subkind.setdefault(demo.subkind, (organisation, user))
    for subkind, (organisation, user) in first_by_subkind.items():
        logins[f"operator ({subkind.replace('_', ' ')}): {organisation.name}"] = user.email

    trade_langs = {"tuscany-discovery-tours": "en", "heritage-journeys": "en"}
    for i, demo in enumerate(TRADE):
        organisation = _organisation(demo, 60 + i)
        user = _user(
            f"booking@{demo.slug}.example",
            first_names[-i - 1],
            last_names[-i - 1],
            trade_langs.get(demo.slug, "it"),
        )
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": Role.OWNER}
        )
        if i == 0:
            logins[f"tour operator: {organisation.name}"] = user.email
            ApiKey.objects.get_or_create(
                key_hash=hash_api_key(DEMO_TRADE_API_KEY),
                defaults={
                    "organisation": organisation,
                    "name": "Demo integration",
                    "prefix": DEMO_TRADE_API_KEY.split("_")[1],
                },
            )

    for i, demo in enumerate(IAT):
        organisation = _organisation(demo, 80 + i)
        if i == 0:
            user = _user("iat.lucca@pianadilucca.example", "Rita", "Menchini")
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"role": Role.STAFF}
            )
            user.groups.add(groups[DmcGroup.IAT_AGENT])
            logins["IAT desk agent"] = user.email

    for email, first, last, lang in [
        ("anna.rossi@example.com", "Anna", "Rossi", "it"),
        ("emily.clarke@example.co.uk", "Emily", "Clarke", "en"),
        ("jonas.weber@example.de", "Jonas", "Weber", "en"),
    ]:
        user = _user(email, first, last, lang)
        logins.setdefault("traveller", user.email)

    context["accounts"] = {
        "logins": logins,
        "password": DEMO_PASSWORD,
        "api_key": DEMO_TRADE_API_KEY,
    }
