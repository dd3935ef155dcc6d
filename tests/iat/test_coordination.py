from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from iat import services_coordination as services
from iat.errors import ShiftOverlap, TrainingFull
from iat.models import (
    Announcement,
    AnnouncementReceipt,
    AuditItem,
    Material,
    MaterialStock,
    TrainingRegistration,
    TrainingSession,
)
from insights.models import MovementMarketYear, MovementMonth
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, comune

pytestmark = pytest.mark.django_db


def session(capacity=2):
    return TrainingSession.objects.create(
        title="Accoglienza",
        comune=comune("Lucca"),
        venue="Palazzo Ducale",
        trainer="H. B.",
        starts_at=timezone.now(),
        hours=Decimal("3"),
        capacity=capacity,
    )


def test_announcements_are_read_and_receipts_counted(agent_client, agent, iat_org, admin_client):
    admin_client.post(
        reverse("iat:coordination"),
        {"action": "publish", "title": "Mappe", "body": "Nuove mappe", "audience": "iat"},
    )
    announcement = Announcement.objects.get()
    assert "Mappe" in agent_client.get(reverse("iat:coordination")).content.decode()
    agent_client.post(
        reverse("iat:coordination"), {"action": "read", "announcement": announcement.pk}
    )
    agent_client.post(
        reverse("iat:coordination"), {"action": "read", "announcement": announcement.pk}
    )
    receipt = AnnouncementReceipt.objects.get()
    assert (receipt.user, receipt.organisation) == (agent, iat_org)
    assert "read by 1 person" in admin_client.get(reverse("iat:coordination")).content.decode()


def test_operators_do_not_see_announcements_for_the_offices(client):
    Announcement.objects.create(
        title="Solo IAT", body="x", audience="iat", published_at=timezone.now()
    )
    client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    assert "Solo IAT" not in client.get(reverse("iat:coordination")).content.decode()


def test_travellers_get_404_on_the_network(client):
    client.force_login(UserFactory())
    assert client.get(reverse("iat:coordination")).status_code == 404
    assert client.get(reverse("iat:shifts")).status_code == 404


def test_training_places_are_not_oversold(iat_org):
    s = session(capacity=1)
    first = UserFactory()
    services.training_register(session=s, user=first, organisation=iat_org)
    services.training_register(session=s, user=first, organisation=iat_org)  # idempotent
    with pytest.raises(TrainingFull):
        services.training_register(session=s, user=UserFactory(), organisation=iat_org)
    assert TrainingRegistration.objects.count() == 1


def test_certificate_only_after_attendance(agent_client, agent, iat_org, admin_client):
    s = session()
    agent_client.post(reverse("iat:coordination"), {"action": "register", "session": s.pk})
    url = reverse("iat:certificate", args=[s.pk])
    assert agent_client.get(url).status_code == 404
    registration = TrainingRegistration.objects.get()
    admin_client.post(reverse("iat:attendance", args=[s.pk]), {"attended": [registration.pk]})
    response = agent_client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(__import__("io").BytesIO(response.content)).pages[0].extract_text()
    assert "Accoglienza" in text and agent.last_name in text
    other = UserFactory()
    MembershipFactory(user=other, organisation=iat_org)
    agent_client.force_login(other)
    assert agent_client.get(url).status_code == 404


def test_shifts_do_not_overlap_and_other_offices_answer_404(office, other_office, agent):
    day = date(2026, 12, 3)
    services.shift_add(office=office, user=agent, date=day, starts=time(9), ends=time(14))
    with pytest.raises(ShiftOverlap):
        services.shift_add(office=office, user=agent, date=day, starts=time(13), ends=time(19))
    services.shift_add(office=office, user=agent, date=day, starts=time(14), ends=time(19))


def test_another_iat_office_roster_is_404(agent_client, other_office, office):
    assert agent_client.get(reverse("iat:shifts"), {"office": other_office.pk}).status_code == 404
    assert agent_client.get(reverse("iat:shifts"), {"office": office.pk}).status_code == 200


def test_the_audit_measures_scores_and_prints(office, admin_client):
    MovementMonth.objects.create(
        comune=office.comune, year=2025, month=8, arrivals=10, presences=100
    )
    MovementMarketYear.objects.create(
        comune=office.comune, year=2025, origin="DE", arrivals=5, presences=60
    )
    MovementMarketYear.objects.create(
        comune=office.comune, year=2025, origin="US", arrivals=5, presences=40
    )
    MaterialStock.objects.create(
        office=office,
        language="en",
        quantity=10,
        reorder_level=50,
        material=Material.objects.create(name="Map", kind="map"),
    )
    audit = services.audit_record(
        office=office, auditor=None, manual_points={"signage": 4, "digital": 2}
    )
    points = dict(AuditItem.objects.filter(audit=audit).values_list("criterion", "points"))
    # summer: 7 x 10 h = 70 h (4); en spoken, de missing: 40% -> 2; not accessible (0);
    # wifi only (2); no complaints (4); the only stock row is low (0); manual 4 + 2
    assert points == {
        "opening_hours": 4,
        "languages": 2,
        "accessibility": 0,
        "services": 2,
        "complaints": 4,
        "material": 0,
        "signage": 4,
        "digital": 2,
    }
    assert audit.score == Decimal("56.3")  # 18 / 32
    second = services.audit_record(
        office=office, auditor=None, manual_points={"signage": 4, "digital": 4}
    )
    page = admin_client.get(reverse("iat:audit", args=[second.pk])).content.decode()
    assert "previous" in page and "56.3%" in page
    pdf = admin_client.get(reverse("iat:audit", args=[second.pk]), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert "62.5%" in PdfReader(__import__("io").BytesIO(pdf.content)).pages[0].extract_text()


def test_audits_are_for_dmc_staff_only(agent_client, office):
    assert agent_client.get(reverse("iat:audits")).status_code == 404


def test_the_network_calendar_shows_the_portals_published_events(agent_client):
    from datetime import timedelta

    from portal.models import ContentStatus, Event

    today = timezone.localdate()
    lucca = comune("Lucca")
    Event.objects.create(
        slug="luminara",
        title="Luminara di Santa Croce",
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=3),
        comune=lucca,
        status=ContentStatus.PUBLISHED,
    )
    Event.objects.create(
        slug="draft-fair",
        title="A fair still in draft",
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=6),
        comune=lucca,
    )
    Event.objects.create(
        slug="last-year",
        title="A fair that is over",
        starts_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=19),
        comune=lucca,
        status=ContentStatus.PUBLISHED,
    )
    page = agent_client.get(reverse("iat:coordination")).content.decode()
    assert "Luminara di Santa Croce" in page
    assert "/events/luminara/" in page
    assert "A fair still in draft" not in page
    assert "A fair that is over" not in page
