"""A comune's staff read the tourist-movement dashboard: their comune in detail and the
Piana's aggregates, never another comune's detail, and the platform's sales only in cells
resting on at least three operators."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.forms import OrganisationProfileForm
from accounts.models import Invitation, Organisation, Role
from bookings.models import Booking, BookingLine
from insights import selectors
from insights.demo_data import generate_rows, to_csv
from insights.importer import movement_import
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, comune

pytestmark = pytest.mark.django_db
URL = "insights:comune_dashboard"


@pytest.fixture
def movement():
    comune("Lucca")  # the six comuni of the Piana
    movement_import(
        filename="d.csv", content=to_csv(generate_rows(years=[2024, 2025])), is_demo=True
    )


@pytest.fixture
def capannori_org(db):
    return OrganisationFactory(
        name="Comune di Capannori", kind="comune", subkind="", comune=comune("Capannori")
    )


@pytest.fixture
def capannori_client(client, capannori_org):
    client.force_login(MembershipFactory(organisation=capannori_org, role=Role.STAFF).user)
    return client


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_comune_organisation_needs_its_comune_of_the_piana():
    org = Organisation(name="Comune senza comune", slug="x", kind="comune")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "comune" in exc.value.message_dict
    org.comune = comune("Capannori")
    org.full_clean()


def test_the_comune_reads_its_comune_and_the_piana_but_not_the_others(capannori_client, movement):
    response = capannori_client.get(reverse(URL), {"year": 2025})
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]  # the footer names all six
    assert response.status_code == 200
    assert "Capannori" in html and "Other comuni of the Piana" in html
    assert "Altopascio" not in html and "Montecarlo" not in html
    rows = _csv(
        capannori_client.get(reverse(URL), {"year": 2025, "chart": "comuni", "format": "csv"})
    )
    names = [r[0] for r in rows[1:]]
    assert names == ["Capannori", "Other comuni of the Piana (together)"]
    # the two rows add up to the Piana's arrivals shown to the DMC
    piana = selectors.dashboard(year=2025)["kpis"]["arrivals"]
    assert sum(int(r[1]) for r in rows[1:]) == piana
    own = capannori_client.get(reverse(URL), {"year": 2025, "comune": comune("Capannori").pk})
    assert own.status_code == 200


def test_another_comune_s_detail_answers_404(capannori_client, movement):
    lucca = comune("Lucca").pk
    assert capannori_client.get(reverse(URL), {"comune": lucca}).status_code == 404
    assert (
        capannori_client.get(
            reverse(URL), {"comune": lucca, "chart": "markets", "format": "csv"}
        ).status_code
        == 404
    )
    assert capannori_client.get(reverse(URL), {"comune": "x"}).status_code == 404
    # nor the DMC's back-office dashboard, nor its import
    assert capannori_client.get(reverse("insights:dashboard")).status_code == 404
    assert capannori_client.get(reverse("insights:import")).status_code == 404


def test_only_comune_organisations_reach_the_comune_dashboard(client, movement, admin_user):
    assert client.get(reverse(URL)).status_code == 302  # to the login
    for user in (
        UserFactory(),
        MembershipFactory(organisation=OrganisationFactory(kind="operator")).user,
        MembershipFactory(organisation=OrganisationFactory(kind="iat", subkind="")).user,
        MembershipFactory(
            organisation=OrganisationFactory(kind="trade", subkind="tour_operator")
        ).user,
    ):
        client.force_login(user)
        assert client.get(reverse(URL)).status_code == 404


def test_a_comune_cannot_move_its_organisation_to_another_comune(capannori_org):
    form = OrganisationProfileForm(
        data={"name": "Comune di Capannori", "comune": comune("Lucca").pk, "country": "IT"},
        instance=capannori_org,
    )
    assert form.fields["comune"].disabled
    assert form.is_valid(), form.errors
    assert form.save().comune == comune("Capannori")


def test_the_comune_owner_invites_members_as_usual(client, capannori_org):
    owner = MembershipFactory(organisation=capannori_org, role=Role.OWNER).user
    client.force_login(owner)
    response = client.post(
        reverse("accounts:invite"), {"email": "ufficio@capannori.example", "role": "staff"}
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(
        organisation=capannori_org, email="ufficio@capannori.example"
    ).exists()


def _hotel_stay(arrival, persons=2, nights=3):
    hotel = OrganisationFactory(kind="operator", subkind="accommodation")
    booking = Booking.objects.create(
        channel="web", contact_name="M R", contact_email="m@example.com", status="confirmed"
    )
    BookingLine.objects.create(
        booking=booking,
        kind="accommodation",
        supplier=hotel,
        title="Doppia",
        service_date=arrival,
        end_date=arrival + timedelta(days=nights),
        persons=persons,
    )


def test_platform_sales_of_fewer_than_three_operators_are_withheld_from_the_comune(
    capannori_client, admin_client, movement
):
    _hotel_stay(date(2025, 7, 10))  # July: one hotel only
    for _i in range(3):  # August: three hotels
        _hotel_stay(date(2025, 8, 10))
    args = {"year": 2025, "chart": "sales", "format": "csv"}
    seen = {r[0]: r for r in _csv(capannori_client.get(reverse(URL), args))}
    assert seen["Jul"][1:5] == ["<3"] * 4 and seen["Jul"][6] == "<3"
    assert seen["Aug"][3:5] == ["6", "18"]  # 3 hotels x 2 persons, x 3 nights
    html = capannori_client.get(reverse(URL), {"year": 2025}).content.decode()
    assert "Statistical confidentiality" in html
    assert "6 arrivals, 18 nights" in html  # July left out of the totals
    dmc = {r[0]: r for r in _csv(admin_client.get(reverse("insights:dashboard"), args))}
    assert dmc["Jul"][3:5] == ["2", "6"]  # the DMC sees every cell


def test_the_threshold_is_a_setting(settings):
    settings.INSIGHTS_MIN_UNITS_PER_CELL = 5
    months = [{"units": 4, "bookings": 1, "revenue": 1, "arrivals": 1, "nights": 1}]
    assert selectors.withhold_small_cells(months)[0]["nights"] is None
    months[0]["units"] = 5
    assert selectors.withhold_small_cells(months)[0]["nights"] == 1


def test_the_comune_s_account_pages_work_and_link_the_dashboard(client, capannori_org):
    client.force_login(MembershipFactory(organisation=capannori_org, role=Role.OWNER).user)
    home = client.get(reverse("accounts:dashboard"))
    assert home.status_code == 200
    assert reverse(URL) in home.content.decode()  # in the navigation
    for name in ("accounts:organisation_profile", "accounts:team"):
        assert client.get(reverse(name)).status_code == 200


def test_the_comune_dashboard_runs_a_fixed_number_of_queries(capannori_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    comune("Lucca")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert capannori_client.get(reverse(URL), {"year": 2024}).status_code == 200
        return len(queries)

    movement_import(filename="a.csv", content=to_csv(generate_rows(years=[2024])))
    small = count()
    movement_import(filename="b.csv", content=to_csv(generate_rows(years=[2023], seed=7)))
    for _i in range(4):
        _hotel_stay(date(2024, 5, 3))
    assert count() == small


def test_the_dmc_creates_a_comune_organisation_and_invites_its_owner(admin_user):
    from django.core.management import CommandError, call_command

    comune("Capannori")
    by = {"by": admin_user.email}
    outsider = UserFactory()
    with pytest.raises(CommandError):
        call_command("create_comune_organisation", "Montecarlo", "a@b.example", by=outsider.email)
    call_command("create_comune_organisation", "046021", "sindaco@montecarlo.example", **by)
    org = Organisation.objects.get(kind="comune")
    assert (org.name, org.comune.name) == ("Comune di Montecarlo", "Montecarlo")
    invitation = Invitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role) == ("sindaco@montecarlo.example", "owner")
    with pytest.raises(CommandError):
        call_command("create_comune_organisation", "Firenze", "x@example.com", **by)
    with pytest.raises(CommandError):  # a bad address: nothing half-written
        call_command("create_comune_organisation", "Porcari", "not-an-email", **by)
    assert not Organisation.objects.filter(comune__name="Porcari", kind="comune").exists()
