from datetime import time
from decimal import Decimal

import pytest

from accounts.models import Role
from iat.models import Office, OpeningHours, OpeningSeason
from tests.factories import MembershipFactory, OrganisationFactory, comune


def make_office(organisation, name="IAT Lucca Centro", comune_name="Lucca", slug=None):
    office = Office.objects.create(
        organisation=organisation,
        name=name,
        slug=slug or name.lower().replace(" ", "-"),
        comune=comune(comune_name),
        address="Piazza Santa Maria 35",
        latitude=Decimal("43.84656"),
        longitude=Decimal("10.50385"),
        languages="it,en",
        has_wifi=True,
    )
    summer = OpeningSeason.objects.create(
        office=office, name="Summer", start_month=4, start_day=1, end_month=10, end_day=31
    )
    winter = OpeningSeason.objects.create(
        office=office, name="Winter", start_month=11, start_day=1, end_month=3, end_day=31
    )
    for day in range(7):
        OpeningHours.objects.create(season=summer, weekday=day, opens=time(9), closes=time(19))
    for day in range(6):
        OpeningHours.objects.create(season=winter, weekday=day, opens=time(9), closes=time(13))
        OpeningHours.objects.create(season=winter, weekday=day, opens=time(14), closes=time(17))
    return office


@pytest.fixture
def iat_org(db):
    return OrganisationFactory(name="IAT Lucca", kind="iat", subkind="")


@pytest.fixture
def other_iat_org(db):
    return OrganisationFactory(name="IAT Altopascio", kind="iat", subkind="")


@pytest.fixture
def office(iat_org):
    return make_office(iat_org)


@pytest.fixture
def other_office(other_iat_org):
    return make_office(other_iat_org, name="IAT Altopascio", comune_name="Altopascio")


@pytest.fixture
def agent(iat_org):
    return MembershipFactory(organisation=iat_org, role=Role.STAFF).user


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client
