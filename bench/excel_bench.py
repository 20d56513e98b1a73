"""Excel import/export benchmark (not part of the test suite).

    .venv/bin/python bench/excel_bench.py [--rows 5000] [--repeat 3] [--db /tmp/excel_bench.sqlite3]

Builds a fresh SQLite database and a 5,000-row messy sheet (title row, synonyms, loose dates, phones with
dashes, free-text 务工地, saved with shared strings as Excel and WPS save), then times, each `--repeat` times
(the median is printed: this machine is shared and noisy):

  validate (preview), validate + commit (rolled back, then once for real), the unchanged re-import, a
  re-import that moves 500 children to another class, the same sheet as a GBK .csv, the 台账 and 登记表
  exports, and the refusal of hostile files.

Three floors are measured in the same run, and each step is printed with its ratio to its floor:
  read   — python-calamine reading the same file into Python values (what any import must pay);
  insert — a bulk INSERT of the same rows the commit wrote (children, parents, guardians, assessments,
           periods and their history records, taken from the database) into empty copies of their tables,
           with executemany: no validation, no ORM;
  write  — XlsxWriter in constant-memory mode writing the same cells as the 台账, with no formatting.
Targets (issue 15, 5,000 rows, a 2-core machine): validate ≤ 0.6 s; validate + commit ≤ 1.5 s; unchanged
re-import ≤ 0.8 s; each export ≤ 1.0 s; peak memory ≤ 100 MB (traced Python memory of the step; python-
calamine's own buffers are native and show only in the process's peak RSS, printed at the end).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
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


def timed(fn, repeat: int):
    """(median wall s, median CPU s, last value) of `repeat` calls."""
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        value = fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), value


def traced_peak(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024


def read_floor(content: bytes) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(BytesIO(content))
    return sum(len(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names)


def insert_floor(tables: list[str]):
    """A function that inserts the rows now in `tables` into empty copies of them (TEMP tables, created
    beforehand, emptied after each run) with executemany."""
    from django.db import connection

    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows[table] = cursor.fetchall()
            cursor.execute(f'DROP TABLE IF EXISTS "floor_{table}"')
            cursor.execute(f'CREATE TEMP TABLE "floor_{table}" AS SELECT * FROM "{table}" WHERE 1 = 0')

    def run() -> int:
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for table, values in rows.items():
                if values:
                    marks = ", ".join(["%s"] * len(values[0]))
                    cursor.executemany(f'INSERT INTO "floor_{table}" VALUES ({marks})', values)
        with connection.cursor() as cursor:
            for table in rows:
                cursor.execute(f'DELETE FROM "floor_{table}"')
        return sum(len(v) for v in rows.values())

    return run


def write_floor(rows: list[list]):
    def run() -> int:
        import xlsxwriter

        out = BytesIO()
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
        sheet = workbook.add_worksheet()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    sheet.write(r, c, value)
        workbook.close()
        return len(out.getvalue())

    return run


def gbk_csv(content: bytes) -> bytes:
    """The same sheet as a school's GBK .csv (the first sheet's rows, as calamine reads them)."""
    import csv
    import io

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(["" if v is None else (int(v) if isinstance(v, float) and v.is_integer() else v) for v in row])
    return text.getvalue().encode("gbk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default="/tmp/excel_bench.sqlite3")
    parser.add_argument("--moved", type=int, default=500, help="children re-imported in another class (updates)")
    args = parser.parse_args()
    repeat = max(1, args.repeat)

    for suffix in ("", "-wal", "-shm"):
        Path(args.db + suffix).unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caretrack.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)

    from caretrack.models import School, SchoolClass, Term
    from children import exports
    from children import importing as importers
    from children.models import Child, FamilyAssessment, Guardian, LeftBehindPeriod, Parent

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
    n = args.rows
    results: list[dict] = []

    def step(label, fn, *, floor=None, target=None, peak_of=None, runs=repeat):
        wall, cpu, value = timed(fn, runs)
        peak = traced_peak(peak_of or fn) if peak_of is not False else None
        results.append({"label": label, "wall": wall, "cpu": cpu, "peak": peak, "floor": floor, "target": target})
        return value

    def validate(data=content, name="bench.xlsx"):
        return importers.read_import(school=school, source=BytesIO(data), filename=name, today=today)

    def commit(data=content, name="bench.xlsx"):
        return importers.commit_import(
            school=school, source=BytesIO(data), filename=name, acting_user=None, today=today
        )

    def commit_rolled_back():
        with transaction.atomic():
            outcome = commit()
            transaction.set_rollback(True)
        return outcome

    floors = {}
    floors["read"] = timed(lambda: read_floor(content), max(3, repeat))[0]
    preview = step(f"validate {n} rows (preview)", validate, floor="read", target=0.6)
    assert not preview.error_rows, preview.errors[:5]
    commit_peak = traced_peak(commit_rolled_back)  # before the real commit: the peak of creating them all
    walls, cpus = [], []
    for run in [commit_rolled_back] * (repeat - 1) + [commit]:  # the last one is kept
        started, cpu = time.perf_counter(), time.process_time()
        outcome = run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    assert outcome.created == n, outcome
    tables = [m._meta.db_table for m in (Child, Parent, Guardian, FamilyAssessment, LeftBehindPeriod)]
    tables += [m.history.model._meta.db_table for m in (Child, Parent, Guardian, FamilyAssessment)]
    insert = insert_floor(tables)
    floors["insert"] = timed(insert, max(3, repeat))[0]
    floors["read + insert"] = floors["read"] + floors["insert"]
    results.append({
        "label": f"validate + commit {n} rows", "wall": statistics.median(walls), "cpu": statistics.median(cpus),
        "peak": commit_peak, "floor": "read + insert", "target": 1.5,
    })  # fmt: skip
    again = step("same file again (all unchanged)", validate, floor="read", target=0.8)
    assert again.unchanged == n and not again.to_create and not again.to_update, again
    csv_content = gbk_csv(content)
    as_csv = step("same file as a GBK .csv (unchanged)", lambda: validate(csv_content, "bench.csv"), floor="read")
    assert as_csv.unchanged == n, (as_csv.unchanged, as_csv.errors[:3])
    if args.moved:
        moved = build_sheet(n, moved=args.moved)

        def commit_moved():
            with transaction.atomic():
                outcome = commit(moved, "moved.xlsx")
                transaction.set_rollback(True)
            return outcome

        outcome = step(f"re-import, {args.moved} moved class", commit_moved, floor="read", peak_of=False)
        assert outcome.updated == args.moved, outcome

    def roster_export():
        return exports.export_roster(school=school, acting_user=None, today=today, full_identifiers=True)

    roster = roster_export()
    assert roster.rows == n, roster.rows
    from python_calamine import CalamineWorkbook

    cells = CalamineWorkbook.from_filelike(BytesIO(roster.content)).get_sheet_by_index(0).to_python()
    floors["write"] = timed(write_floor(cells), max(3, repeat))[0]
    step(f"export 台账 ({n} children)", roster_export, floor="write", target=1.0)
    step(
        "export 登记表 + 统计表",
        lambda: exports.export_register(school=school, acting_user=None, today=today),
        floor="write",
        target=1.0,
    )

    # The bounds checked before parsing, and how fast hostile files (tests/excel/hostile.py: each of them once
    # tied a worker for minutes) are refused.
    from tests.excel import hostile

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

        step(f"refuse {label}", refuse, target=2.0, runs=1)

    print(f"\nfloors (median of {max(3, repeat)}): " + "; ".join(f"{k} {v:.3f} s" for k, v in floors.items()))
    print(f"\n{'step':<38} {'median s':>8} {'CPU s':>6} {'peak MB':>8} {'target':>7} {'× floor':>14}  ok")
    print("-" * 92)
    for r in results:
        peak = f"{r['peak']:>8.1f}" if r["peak"] is not None else " " * 8
        target = f"{r['target']:>6.1f}s" if r["target"] else " " * 7
        ratio = f"{r['wall'] / floors[r['floor']]:>6.1f} ({r['floor']})" if r["floor"] else ""
        ok = "" if not r["target"] else ("yes" if r["wall"] <= r["target"] and (r["peak"] or 0) <= 100 else "NO")
        print(f"{r['label']:<38} {r['wall']:>8.3f} {r['cpu']:>6.2f} {peak} {target} {ratio:>14}  {ok}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nprocess peak RSS {rss:.0f} MB (the whole run, Django and the database pages included)")
    print(f"load average {load} on {os.cpu_count()} CPUs: wall time grows with the machine's load, CPU time less")
    print(f"sheet size: {len(content) / 1024:.0f} KB ({n} rows)")


if __name__ == "__main__":
    main()
