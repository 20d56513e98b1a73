"""Importing a school's own 留守儿童 sheet into the archive: .xlsx, .xls, .ods, WPS .et or .csv (UTF-8 or GBK),
read through the core's one bounded reader (caretrack/sheet_reading.py).

Hand-written rather than django-import-export: real sheets have title rows, two-level merged headers,
synonyms, loose dates, 合计 rows and 填表人 lines, and free-text 务工地, and every one of those needs a decision
that must be visible (an error on that row, a skipped row named on the preview, never a silent guess). Header
detection, the column synonyms and the per-cell parsers are plain functions that the tests drive directly.

One module per job: columns (the catalogue), headers (finding the header), parsers (one cell), rows (one
row), reading (a file: read_import), matching (against the archive), commit (commit_import, and
left_out_sheet: the rows an only-valid import left out, in the file's own columns), lookups (preview_import:
the page's preview, with the ID-number lookup audited and capped), template (the template, the error list).

Flow: read_import() validates a file and returns an ImportPreview (rows to create, update, leave alone, rows
with errors — each error with its row number, column name and a Chinese message — and rows skipped as not
data); nothing is written. commit_import() validates the same file again and saves, in one transaction with
the audit row, every row when no row has an error, or with only_valid=True the rows without errors (只导入
无误的行). Importing the same file twice creates nothing new: rows match existing children (身份证号, else
name + birth date in the school) and unchanged rows are skipped; every export that carries these columns
(台账, 登记表, masked or not) imports back unchanged.
"""

from caretrack.spreadsheets import file_sha256
from children.importing.columns import COLUMNS, COLUMNS_BY_KEY, EXAMPLE_MARK, MAX_DATA_ROWS, Column, column_key
from children.importing.commit import ImportOutcome, ImportRejected, commit_import
from children.importing.headers import Header, find_header
from children.importing.lookups import LookupLimited, preview_import
from children.importing.parsers import parse_class
from children.importing.reading import MAX_UPLOAD_BYTES, ImportFileError, check_upload, read_import
from children.importing.rows import Action, ImportPreview, RowError, RowResult

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_KEY",
    "EXAMPLE_MARK",
    "MAX_DATA_ROWS",
    "MAX_UPLOAD_BYTES",
    "Action",
    "Column",
    "Header",
    "ImportFileError",
    "ImportOutcome",
    "ImportPreview",
    "ImportRejected",
    "LookupLimited",
    "RowError",
    "RowResult",
    "check_upload",
    "column_key",
    "commit_import",
    "file_sha256",
    "find_header",
    "parse_class",
    "preview_import",
    "read_import",
]
