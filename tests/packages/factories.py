"""Factories for packages. Packages belong to the DMC, not to a tenant organisation: no
organisation-scoped views, hence no SCOPED_MODEL_FACTORIES entries."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from packages.models import Component, Departure, Package, SeasonPrice
from tests.factories import MembershipFactory, OrganisationFactory


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package

    title_it = factory.Sequence(lambda n: f"Pacchetto {n}")
    title_en = factory.Sequence(lambda n: f"Package {n}")
    title = factory.LazyAttribute(lambda o: o.title_it)
    slug = factory.LazyAttribute(lambda o: slugify(o.title_en))
    status = "published"
    duration_days = 3
    duration_nights = 2
    min_pax = 1
    max_pax = 40
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    markup_kind = "percent"
    markup_value = Decimal("0")
    rounding_step = Decimal("0.01")
    insurer = "Assicurazioni Esempio S.p.A."
    insurance_policy_number = "RC-123"
    insolvency_protector = "Fondo Garanzia Viaggi"
    insolvency_policy_number = "FG-456"


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    package = factory.SubFactory(PackageFactory)
    day_offset = 0
    slot_rule = "first_after"
    quantity_rule = "per_person"


class SeasonPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeasonPrice

    package = factory.SubFactory(PackageFactory)
    name = "Alta stagione"
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    price_per_person = Decimal("300.00")


class DepartureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departure

    package = factory.SubFactory(PackageFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    capacity = 20


def dmc_user(group=DmcGroup.PRODUCT_MANAGER):
    """A member of the DMC organisation in a DMC permission group."""
    from accounts.models import Organisation

    dmc = Organisation.objects.filter(kind="dmc").first() or OrganisationFactory(
        name="Piana di Lucca DMC", kind="dmc", subkind="", email="dmc@example.com"
    )
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    if group:
        user.groups.add(dmc_groups_ensure()[group])
    return user


SCOPED_MODEL_FACTORIES: dict = {}


class ChildReductionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "packages.ChildReduction"

    package = factory.SubFactory(PackageFactory)
    age_min = 0
    age_max = 11
    reduction_percent = Decimal("50")
