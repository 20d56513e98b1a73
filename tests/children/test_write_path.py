"""One write path: a child typed into the archive form and the same child imported from Excel are
stored as the same rows, with the same history records and an audit row each."""

import pytest
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from children.importing import COLUMNS, commit_import
from children.models import Child, FamilyAssessment, Grandparent, Guardian, LeftBehindPeriod, Parent
from tests.excel.sheets import build_sheet
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

ARCHIVE_MODELS = [Child, Parent, Grandparent, Guardian, FamilyAssessment, LeftBehindPeriod]
HISTORY_MODELS = [Child, Parent, Grandparent, Guardian, FamilyAssessment]
IGNORED = {"id", "child", "created_by", "created_at", "updated_at"}

# One child, as a school would type it into the sheet: column key -> cell.
SHEET = {
    "name": "张小明", "gender": "男", "birth_date": "2017-03-02", "ethnicity": "汉族", "id_number": valid_id_number(),
    "school_class": "三(2)班", "student_number": "G43122520170302", "hukou_address": "溆浦县青山村3组",
    "current_address": "溆浦县思蒙镇新街5号", "is_boarder": "否", "health_status": "健康", "hardships": "低保家庭",
    "father_name": "张建国", "father_phone": "13912345678", "father_status": "外出务工",
    "father_work_place": "广东东莞", "father_employer": "某电子厂",
    "mother_name": "李秀兰", "mother_phone": "13712345678", "mother_status": "外出务工",
    "mother_work_place": "浙江省义乌市", "mother_employer": "",
    "guardian_name": "张秀英", "guardian_relation": "祖母", "guardian_phone": "0745-3221234", "guardian_age": 66,
    "guardian_address": "溆浦县青山村3组", "guardianship_level": "监护情况一般",
}  # fmt: skip


def form_post(world) -> dict:
    """The same child in the archive form; fields the sheet has no column for keep their defaults."""
    return {
        "child-name": "张小明", "child-gender": "M", "child-birth_date": "2017-03-02", "child-ethnicity": "汉族",
        "child-id_number": valid_id_number(), "child-has_hukou": "on", "child-student_number": "G43122520170302",
        "child-school_class": world.school_class.pk, "child-schooling_status": "primary", "child-status": "enrolled",
        "child-hukou_address": "溆浦县青山村3组", "child-current_address": "溆浦县思蒙镇新街5号",
        "child-health_status": "healthy", "hardship-low_income": "on",
        "hardship-low_income_evidence": "低保证", "hardship-low_income_on": "2026-09-01",
        "father-name": "张建国", "father-phone": "13912345678", "father-away_status": "away",
        "father-work_province": "440000", "father-work_city": "441900", "father-employer": "某电子厂",
        "father-has_guardianship_capacity": "on",
        "mother-name": "李秀兰", "mother-phone": "13712345678", "mother-away_status": "away",
        "mother-work_province": "330000", "mother-work_city": "330700", "mother-work_county": "330782",
        "mother-has_guardianship_capacity": "on",
        "pgf-is_alive": "on", "pgm-is_alive": "on", "mgf-is_alive": "on", "mgm-is_alive": "on",
        "guardian-name": "张秀英", "guardian-relation": "pgm", "guardian-phone": "0745-3221234", "guardian-age": "66",
        "guardian-address": "溆浦县青山村3组",
        "assessment-guardianship_level": "fair", "assessment-assessed_on": timezone.localdate().isoformat(),
    }  # fmt: skip


def _archive_fields(model) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if f.name not in IGNORED and not isinstance(f, models.DateTimeField)
    ]


def stored() -> dict:
    """Every archive row and history record, without keys and timestamps."""
    rows = {
        model.__name__: sorted((tuple(row) for row in model.objects.values_list(*_archive_fields(model))), key=repr)
        for model in ARCHIVE_MODELS
    }
    history = {model.__name__: sorted(model.history.values_list("history_type", flat=True)) for model in HISTORY_MODELS}
    return {"rows": rows, "history": history}


class _Rollback(Exception):
    pass


def saved_through(save) -> tuple[dict, list[tuple]]:
    """What `save` stores, read before it is rolled back, so both paths start from the same database."""
    result = {}
    try:
        with transaction.atomic():
            save()
            result["stored"] = stored()
            result["audit"] = list(AuditEvent.objects.values_list("action", "user_id", "school_id"))
            raise _Rollback
    except _Rollback:
        pass
    return result["stored"], result["audit"]


def test_the_form_and_the_import_store_the_same_archive(client, world):
    def through_the_form():
        client.force_login(world.coordinator)
        response = client.post(reverse("children:create"), form_post(world))
        assert response.status_code == 302, response.content.decode()

    def through_the_import():
        sheet = build_sheet([[c.label for c in COLUMNS], [SHEET.get(c.key, "") for c in COLUMNS]])
        outcome = commit_import(
            school=world.school, source=sheet, filename="登记表.xlsx", acting_user=world.coordinator
        )
        assert outcome.created == 1

    assert not Child.objects.exists()
    typed, typed_audit = saved_through(through_the_form)
    imported, imported_audit = saved_through(through_the_import)

    assert len(typed["rows"]["Child"]) == 1 and len(typed["rows"]["Parent"]) == 2
    assert len(typed["rows"]["LeftBehindPeriod"]) == 1 and len(typed["rows"]["FamilyAssessment"]) == 1
    assert typed["rows"] == imported["rows"]
    assert typed["history"] == imported["history"]
    creation = (AuditAction.CREATE, world.coordinator.pk, world.school.pk)
    assert creation in typed_audit and creation in imported_audit
    assert (AuditAction.IMPORT, world.coordinator.pk, world.school.pk) in imported_audit
