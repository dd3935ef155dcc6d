from django.utils import timezone

from iat.models import Contact

from .conftest import make_office


def _contact(organisation):
    office = make_office(organisation, name=f"IAT {organisation.pk}", slug=f"iat-{organisation.pk}")
    return Contact.objects.create(
        office=office, at=timezone.now(), channel="desk", origin="DE", language="de", topics=[]
    )


SCOPED_MODEL_FACTORIES = {Contact: _contact}
