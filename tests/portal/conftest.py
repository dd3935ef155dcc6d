import pytest

from places.services import comuni_ensure_piana
from portal.content import portal_content_load


@pytest.fixture
def content(db):
    """The portal's demo content loaded from its data files (without the demo catalogue)."""
    comuni_ensure_piana()
    return portal_content_load()
