"""Demo organisations and people of the Piana di Lucca (`manage.py seed_demo`). Idempotent.
The organisations are data (accounts/demo_data/organisations.yaml)."""

import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from stdnum import iban as std_iban
from stdnum import luhn

from marketplace.demo_data import demo_data
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


KINDS = {"dmc": "dmc", "operators": "operator", "trade": "trade", "iat": "iat", "comuni": "comune"}


@functools.cache
def demo_organisations() -> dict:
    """The demo organisations by section (accounts/demo_data/organisations.yaml): `dmc` one
    DemoOrg, `operators`, `trade`, `iat` and `comuni` lists of DemoOrg, `foreign_fiscal` by
    slug."""
    data = demo_data("accounts", "organisations")
    out = {"foreign_fiscal": data["foreign_fiscal"]}
    for section, kind in KINDS.items():
        entries = data[section]
        orgs = [DemoOrg(kind=kind, **e) for e in (entries if section != "dmc" else [entries])]
        out[section] = orgs[0] if section == "dmc" else orgs
    return out


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
        if "Srl" in demo.name or "Ltd" in demo.name or "GmbH" in demo.name or demo.kind == "comune"
        else f"{demo.name} Srl",
        "address": demo.address,
        "comune": comune,
        "city": comune.name if comune else "",
        "postcode": "55100" if comune and comune.name == "Lucca" else ("55012" if comune else ""),
        "country": "IT",
    }
    foreign = demo_organisations()["foreign_fiscal"].get(demo.slug)
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

    dmc = _organisation(demo_organisations()["dmc"], 1)
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
    for i, demo in enumerate(demo_organisations()["operators"]):
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
    for i, demo in enumerate(demo_organisations()["trade"]):
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

    for i, demo in enumerate(demo_organisations()["iat"]):
        organisation = _organisation(demo, 80 + i)
        if i == 0:
            user = _user("iat.lucca@pianadilucca.example", "Rita", "Menchini")
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"role": Role.STAFF}
            )
            user.groups.add(groups[DmcGroup.IAT_AGENT])
            logins["IAT desk agent"] = user.email

    for i, demo in enumerate(demo_organisations()["comuni"]):
        organisation = _organisation(demo, 90 + i)
        if i == 0:  # the tourism office of Capannori reads the comune's dashboard
            user = _user("turismo@comune-capannori.example", "Elisa", "Giusti")
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"role": Role.OWNER}
            )
            logins[f"comune: {organisation.name}"] = user.email

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
