"""Excel import/export benchmark (not part of the test suite).

    .venv/bin/python bench/excel_bench.py [--rows 5000] [--db /tmp/excel_bench.sqlite3]

Builds a fresh SQLite database, writes a 5,000-row messy sheet (title row, synonyms, loose dates,
phones with dashes, free-text 务工地), validates it (preview), commits it, re-validates it (the
idempotent second import), and exports the 台账 and the 花名册 of the 5,000 children; then times the
import's bounds check on that sheet and the refusal of hostile files. Prints a table with wall time and
tracemalloc peak for each step. Targets: validate + commit < 5 s, export < 3 s, a refusal < 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
import tracemalloc
import zipfile
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLACES = ["广东东莞", "广东省深圳市", "浙江义乌", "江苏苏州", "上海浦东新区", "福建厦门", "湖南长沙", "北京朝阳区"]
GRANDMOTHERS = ["奶奶", "外婆", "祖母", "外祖母"]


def build_sheet(rows: int, seed: int = 2026, moved: int = 0) -> bytes:
    """The first `moved` children are written in another class of their grade."""
    from openpyxl import Workbook

    from caretrack.validation import make_id_number

    rng = random.Random(seed)
    # Normal mode, as Excel and WPS save: shared strings and a <dimension> tag. (A write_only file has
    # neither, which makes openpyxl's read_only reader parse the sheet twice.)
    wb = Workbook()
    ws = wb.active
    ws.title = "留守儿童"
    ws.append(["基准小学留守儿童信息登记表"])
    ws.append(["序号", "学生姓名", "性别", "出生年月", "身份证号码", "年级班级", "父亲姓名", "父亲电话",
               "父亲务工地点", "母亲姓名", "母亲电话", "母亲务工地点", "监护人姓名", "监护人与儿童关系",
               "监护人联系电话", "监护类型"])  # fmt: skip
    start = date(2013, 9, 1)
    used: dict[date, int] = {}
    for i in range(rows):
        birth = start + timedelta(days=rng.randrange(0, 6 * 365))
        gender = "M" if i % 2 else "F"
        used[birth] = seq = used.get(birth, -1) + 1
        grade = min(6, max(1, 2026 - birth.year - 6))
        birth_text = [f"{birth:%Y.%-m.%-d}", f"{birth:%Y年%-m月%-d日}", f"{birth:%Y-%m-%d}"][i % 3]
        ws.append([
            i + 1, f"学生{i:05d}", "男" if gender == "M" else "女", birth_text,
            make_id_number("431224", birth, seq, gender), f"{'一二三四五六'[grade - 1]}({(i + (i < moved)) % 4 + 1})班",
            f"父{i}", f"139-{i % 10000:04d}-{rng.randrange(10000):04d}", rng.choice(PLACES),
            f"母{i}", f"137 {i % 10000:04d} {rng.randrange(10000):04d}", rng.choice(PLACES),
            f"祖{i}", rng.choice(GRANDMOTHERS), f"0745-322{i % 10000:04d}", "监护情况一般",
        ])  # fmt: skip
    out = BytesIO()
    wb.save(out)
    return with_shared_strings(out.getvalue())


_INLINE = re.compile(
    r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>'
)


def with_shared_strings(content: bytes) -> bytes:
    """Rewrite openpyxl's inline strings into a shared-string table, as Excel and WPS save a sheet
    (openpyxl always writes inline strings, which are several times slower to read back)."""
    strings: dict[str, int] = {}

    def shared(match: re.Match) -> str:
        index = strings.setdefault(match[3], len(strings))
        return f'<c r="{match[1]}"{match[2]} t="s"><v>{index}</v></c>'

    source = zipfile.ZipFile(BytesIO(content))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE.sub(shared, data.decode()).encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            target.writestr(item, data)
        items = "".join(f"<si><t>{text}</t></si>" for text in strings)
        target.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>',
        )
    return out.getvalue()


def measure(label: str, fn, results: list, *, memory_run=None):
    """Wall time of fn(); peak traced memory of memory_run() (or of a second fn() call when given
    None and the step can be repeated). tracemalloc slows Python down several times, so the timed run
    is never traced."""
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = None
    if memory_run is not None:
        tracemalloc.start()
        memory_run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    results.append((label, elapsed, cpu, peak / 1024 / 1024 if peak is not None else None))
    return value


def _peak(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--db", default="/tmp/excel_bench.sqlite3")
    parser.add_argument("--moved", type=int, default=500, help="children re-imported in another class (updates)")
    args = parser.parse_args()

    for suffix in ("", "-wal", "-shm"):
        Path(args.db + suffix).unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caretrack.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from caretrack.models import School, SchoolClass, Term
    from children import exports
    from children import importing as importers
    from children.models import Child

    school = School.objects.create(name="基准小学", county="溆浦县")
    Term.objects.create(
        school=school, start_year=2026, semester=1, start_date=date(2026, 9, 1), end_date=date(2027, 1, 20),
        is_current=True,
    )  # fmt: skip
    SchoolClass.objects.bulk_create(
        [SchoolClass(school=school, grade=g, number=n) for g in range(1, 7) for n in range(1, 5)]
    )
    today = date(2026, 11, 2)
    content = build_sheet(args.rows)
    # pypinyin loads its phrase dictionary on first use (about 0.4 s, once per server process).
    from children.services import name_initials

    name_initials("张三")
    results: list[tuple[str, float, float]] = []

    def validate():
        return importers.read_import(school=school, source=BytesIO(content), filename="bench.xlsx", today=today)

    def commit_and_roll_back():
        # The memory of a commit, measured in a transaction that is then rolled back.
        from django.db import transaction

        with transaction.atomic():
            importers.commit_import(
                school=school, source=BytesIO(content), filename="bench.xlsx", acting_user=None, today=today
            )
            transaction.set_rollback(True)

    preview = measure(f"validate {args.rows} rows (preview)", validate, results, memory_run=validate)
    assert not preview.error_rows, preview.errors[:5]
    peak_commit = _peak(commit_and_roll_back)
    outcome = measure(
        f"validate + commit {args.rows} rows",
        lambda: importers.commit_import(
            school=school, source=BytesIO(content), filename="bench.xlsx", acting_user=None, today=today
        ),
        results,
    )
    results[-1] = (*results[-1][:3], peak_commit)
    assert outcome.created == args.rows, outcome
    again = measure("same file again (all unchanged)", validate, results, memory_run=validate)
    assert again.unchanged == args.rows

    if args.moved:
        moved = build_sheet(args.rows, moved=args.moved)
        outcome = measure(
            f"re-import, {args.moved} moved class",
            lambda: importers.commit_import(
                school=school, source=BytesIO(moved), filename="moved.xlsx", acting_user=None, today=today
            ),
            results,
        )
        assert outcome.updated == args.moved, outcome

    def roster_export():
        return exports.export_roster(school=school, acting_user=None, today=today, full_identifiers=True)

    roster = measure(
        f"export 台账 ({Child.objects.count()} children)", roster_export, results, memory_run=roster_export
    )
    assert roster.rows == args.rows, roster.rows

    def register_export():
        return exports.export_register(school=school, acting_user=None, today=today)

    measure("export 花名册", register_export, results, memory_run=register_export)

    # The bounds checked before parsing: their cost on an ordinary sheet, and how fast hostile files
    # (tests/excel/hostile.py: each of them once tied a worker for minutes) are refused.
    from caretrack.spreadsheets import check_limits
    from children.importing import reading
    from tests.excel import hostile

    limits = reading.roster_limits()
    measure("limits scan of the sheet above", lambda: check_limits(BytesIO(content), limits), results)
    for label, build in (
        ("16384 columns declared", lambda: hostile.wide(declared=True)),
        ("16384 cells a row, no dimension", lambda: hostile.wide(declared=False)),
        ("a row numbered 1000000", hostile.tall),
        ("1000000 shared strings", lambda: hostile.many_shared_strings(declared=False)),
        ("zip bomb (60 MB unpacked)", hostile.zip_bomb),
    ):
        data = build()

        def refuse(data=data):
            try:
                importers.read_import(school=school, source=BytesIO(data), filename="x.xlsx", today=today)
            except importers.ImportFileError:
                return
            raise AssertionError("a hostile file was read")

        measure(f"refuse {label}", refuse, results, memory_run=refuse)

    print(f"\n{'step':<36} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}")
    print("-" * 61)
    for label, seconds, cpu, peak in results:
        memory = f"{peak:>8.1f}" if peak is not None else ""
        print(f"{label:<36} {seconds:>7.2f} {cpu:>7.2f} {memory}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average {load} on {os.cpu_count()} CPUs: wall time grows with the machine's load, CPU time less")
    print(f"\nsheet size: {len(content) / 1024:.0f} KB; targets: validate+commit < 5 s, export < 3 s")


if __name__ == "__main__":
    main()
