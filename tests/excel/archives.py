"""Archives built through the real service, so they carry parents, guardians and 留守 periods."""

from datetime import date

from children.services import ArchiveData, save_archive
from guardians.models import Region
from tests.factories import valid_id_number

ON = date(2026, 9, 10)


def region(code):
    return Region.objects.get(code=code) if code else None


def make_archive(world, name, *, birth=date(2017, 3, 2), gender="M", seq=7, school_class=None, school=None,
                 father_place=("440000", "441900", None), mother_place=("330000", "330700", "330782"),
                 guardian="张秀英", hardships=(), level="fair", with_id=True):  # fmt: skip
    def parent(parent_name, phone, place):
        values = {"name": parent_name, "phone": phone, "away_status": "away" if place else "home"}
        if place:
            values.update(work_province=region(place[0]), work_city=region(place[1]), work_county=region(place[2]))
        return values

    data = ArchiveData(
        child={
            "name": name,
            "gender": gender,
            "birth_date": birth,
            "id_number": valid_id_number(birth, gender, seq) if with_id else None,
            "school_class": school_class or world.school_class,
            "hukou_address": "溆浦县青山村3组",
            "current_address": "溆浦县青山村3组",
            "is_boarder": seq % 2 == 0,
        },
        hardships=list(hardships),
        hardship_evidence={kind: {"evidence": "民政认定文书", "evidenced_on": ON} for kind in hardships},
        parents={
            "father": parent(f"{name[0]}建国", "13912345678", father_place),
            "mother": parent("李秀兰", "13712345678", mother_place),
        },
        guardian={"name": guardian, "relation": "pgm", "phone": "0745-3221234", "age": 66, "since": ON}
        if guardian
        else None,
        assessment={"guardianship_level": level, "assessed_on": ON} if level else None,
    )
    return save_archive(school=school or world.school, data=data, acting_user=world.coordinator, on=ON)
