import factory
from django.utils.text import slugify

from accounts.models import ApiKey, Invitation, Membership, Organisation, Role, User
from accounts.services import api_key_create
from places.models import Comune


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save(update_fields=["password"])


def comune(name="Lucca") -> Comune:
    found = Comune.objects.filter(name=name).first()
    if found is None:  # transactional tests flush the migrations' reference data
        from places.services import comuni_ensure_piana

        comuni_ensure_piana()
        found = Comune.objects.get(name=name)
    return found


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Operatore {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = "operator"
    subkind = "guide"
    comune = factory.LazyFunction(comune)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OWNER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.STAFF


def api_key_for(organisation, name="test"):
    return api_key_create(organisation=organisation, name=name)


# Factories for every organisation-scoped model: the tenancy walk uses them to create an
# object that belongs to another tenant. A new scoped model must be added here.
SCOPED_MODEL_FACTORIES = {
    Invitation: lambda organisation: InvitationFactory(organisation=organisation),
    Membership: lambda organisation: MembershipFactory(organisation=organisation),
    Organisation: lambda organisation: organisation,
    ApiKey: lambda organisation: api_key_for(organisation)[0],
}
