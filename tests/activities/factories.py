"""Activity factories that tests/factories.py does not have."""

import factory

from tests.factories import ActivityFactory


class ActivityPhotoFactory(factory.django.DjangoModelFactory):
    """A photo row pointing at a file name; no file is written (tests that need one upload it)."""

    class Meta:
        model = "activities.ActivityPhoto"

    activity = factory.SubFactory(ActivityFactory)
    image = factory.Sequence(lambda n: f"test-audit/photo{n}.jpg")
    caption = "活动照片"
    width = 4
    height = 3
