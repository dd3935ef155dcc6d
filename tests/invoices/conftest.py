import pytest

from tests.packages.conftest import day, trip  # noqa: F401 - fixtures for the adapters

from .factories import dmc_org, german_tour_operator, italian_agency


@pytest.fixture
def dmc(db):
    return dmc_org()


@pytest.fixture
def agency(db):
    return italian_agency()


@pytest.fixture
def german(db):
    return german_tour_operator()
