"""The mentoring rules by name: each require_* refuses exactly the personas its can_* says no to."""

import pytest
from django.core.exceptions import PermissionDenied

from mentoring.permissions import (
    can_handle_concerns,
    can_manage_pairings,
    require_concern_handler,
    require_pairing_manager,
)
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

MANAGERS = {"principal", "coordinator", "other_principal"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "can, require", [(can_manage_pairings, require_pairing_manager), (can_handle_concerns, require_concern_handler)]
)
def test_only_principals_and_coordinators_run_pairings_and_concerns(world, persona, can, require):
    user = getattr(world, persona)
    assert can(user) == (persona in MANAGERS)
    if persona in MANAGERS:
        assert require(user) == user.profile.school
    else:
        with pytest.raises(PermissionDenied):
            require(user)
