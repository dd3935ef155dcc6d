import pytest
from rest_framework.test import APIClient

from accounts.models import Role

from .factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def operator_org(db):
    return OrganisationFactory(name="Guide di Lucca", kind="operator", subkind="guide")


@pytest.fixture
def other_operator_org(db):
    return OrganisationFactory(name="Bici Altopascio", kind="operator", subkind="service")


@pytest.fixture
def owner(operator_org):
    return MembershipFactory(organisation=operator_org, role=Role.OWNER).user


@pytest.fixture
def other_owner(other_operator_org):
    return MembershipFactory(organisation=other_operator_org, role=Role.OWNER).user


@pytest.fixture
def staff_member(operator_org):
    return MembershipFactory(organisation=operator_org, role=Role.STAFF).user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def postgres_only():
    """The race tests prove row locks on PostgreSQL (CI sets DATABASE_URL); SQLite skips them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are proven on PostgreSQL (CI sets DATABASE_URL)")


@pytest.fixture
def browser():
    """Headless Chromium for the browser tests (tests/browser.py; they skip without it)."""
    from .browser import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A desktop-sized page (1280 x 900)."""
    from .browser import DESKTOP

    return browser.new_page(viewport=DESKTOP)


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390 x 844)."""
    from .browser import PHONE

    return browser.new_page(viewport=PHONE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters (sign-in, password reset) never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request to /en/ activates English for the
    thread, which would otherwise leak into the next test's reverse() and formatting."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
