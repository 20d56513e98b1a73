"""factory_boy factories shared by every app's tests."""

from datetime import date

import factory
from django.contrib.auth.models import User

from caretrack.models import Gender, School, SchoolClass, StaffProfile, Term
from caretrack.validation import make_id_number
from children.models import (
    AwayStatus,
    Child,
    FamilyAssessment,
    Guardian,
    GuardianRelation,
    GuardianshipLevel,
    LeftBehindType,
    Parent,
    ParentRole,
)
from children.services import name_initials
from mentoring.models import Pairing, PairingRole

TEST_PASSWORD = "test-pass-2026"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"测试第{n}小学")
    county = "溆浦县"
    enrolled_students = 600


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    school = factory.SubFactory(SchoolFactory)
    start_year = 2026
    semester = 1
    start_date = date(2026, 9, 1)
    end_date = date(2027, 1, 20)
    is_current = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"教师{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff profile (and its user). Pass is_principal / is_coordinator / is_bureau as needed."""

    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    gender = Gender.FEMALE
    phone = "13800000000"


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    grade = 3
    number = factory.Sequence(lambda n: n % 50 + 1)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    name = factory.Sequence(lambda n: f"学生{n}")
    name_initials = factory.LazyAttribute(lambda o: name_initials(o.name))
    gender = Gender.MALE
    birth_date = date(2017, 3, 2)
    hukou_address = "溆浦县青山村3组"
    current_address = "溆浦县青山村3组"
    left_behind_type = LeftBehindType.NOT_LEFT_BEHIND


class ParentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parent

    child = factory.SubFactory(ChildFactory)
    role = ParentRole.FATHER
    name = "王建国"
    away_status = AwayStatus.WORKING_AWAY
    work_province_id = "440000"
    work_city_id = "441900"
    phone = "13912345678"


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    child = factory.SubFactory(ChildFactory)
    name = "王秀英"
    relation = GuardianRelation.PATERNAL_GRANDMOTHER
    age = 66
    phone = "13712345678"
    since = date(2025, 9, 1)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyAssessment

    child = factory.SubFactory(ChildFactory)
    guardianship_level = GuardianshipLevel.FAIR


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    child = factory.SubFactory(ChildFactory)
    mentor = factory.SubFactory(UserFactory)
    role = PairingRole.CARING_MOTHER
    start_date = date(2025, 9, 1)


def valid_id_number(birth: date = date(2017, 3, 2), gender: str = "M", seq: int = 7) -> str:
    return make_id_number("431224", birth, seq, gender)


# --- Mentoring (issue 4) ---------------------------------------------------------------------------

from django.utils.timezone import localdate  # noqa: E402


class ExternalMentorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mentoring.ExternalMentor"

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"爱心妈妈{n}")
    organisation = "县妇联"
    phone = "13900001111"


class _LogFactory(factory.django.DjangoModelFactory):
    child = factory.SubFactory(ChildFactory)
    author = factory.SubFactory(UserFactory)
    date = factory.LazyFunction(localdate)
    text = factory.Sequence(lambda n: f"记录{n}：孩子最近情况良好。")


class TalkFactory(_LogFactory):
    class Meta:
        model = "mentoring.Talk"

    topics = factory.LazyFunction(lambda: ["study"])


class HomeVisitFactory(_LogFactory):
    class Meta:
        model = "mentoring.HomeVisit"

    met_whom = "奶奶王秀英"


class FamilyContactFactory(_LogFactory):
    class Meta:
        model = "mentoring.FamilyContact"


class GuardianContactFactory(_LogFactory):
    class Meta:
        model = "mentoring.GuardianContact"


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mentoring.Concern"

    child = factory.SubFactory(ChildFactory)
    category = "psychological"
    description = "孩子近来情绪低落，不愿与同学交流。"
    raised_by = factory.SubFactory(UserFactory)
    raised_on = factory.LazyFunction(localdate)


# --- activities (issue 5) -------------------------------------------------------------------------


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Activity"

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"感恩主题班会{n}")
    kind = "class_meeting"
    date = date(2026, 10, 9)
    place = "多功能教室"


class ActivityParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ActivityParticipant"

    activity = factory.SubFactory(ActivityFactory)
    child = factory.SubFactory(ChildFactory)


class CareRoomOpeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.CareRoomOpening"

    school = factory.SubFactory(SchoolFactory)
    date = date(2026, 10, 12)
    reading = 12
    family_calls = 5


class AidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Aid"

    child = factory.SubFactory(ChildFactory)
    date = date(2026, 9, 28)
    kind = "cash"
    amount = 300
    donor = "县妇联"


class HealthCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.HealthCheck"

    child = factory.SubFactory(ChildFactory)
    date = date(2026, 9, 20)
    height_cm = 132
    weight_kg = 28
    vision_left = "5.0"
    vision_right = "4.9"


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Exam"

    school = factory.SubFactory(SchoolFactory)
    term = factory.LazyAttribute(lambda o: o.school.terms.first() or TermFactory(school=o.school))
    name = factory.Sequence(lambda n: f"月考{n}")
    kind = "monthly"
    date = date(2026, 10, 15)
    full_score = 300


class ExamResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ExamResult"

    exam = factory.SubFactory(ExamFactory)
    child = factory.SubFactory(ChildFactory)
    total_score = 210
