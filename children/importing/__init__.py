"""Importing a school's own 留守儿童 sheet (.xlsx) into the archive.

Hand-written with openpyxl rather than django-import-export: real sheets have title rows, two-level
merged headers, synonyms, loose dates and free-text 务工地, and every one of those needs a decision
that must be visible (an error on that row, never a silent guess). Header detection, the column
synonyms and the per-cell parsers are plain functions that the tests drive directly.

One module per job: columns (the catalogue), headers (finding the header), parsers (one cell), rows (one
row), reading (a file: read_import), matching (against the archive), commit (commit_import), lookups
(preview_import: the page's preview, with the ID-number lookup audited and capped).

Flow: read_import() validates a file and returns an ImportPreview (rows to create, update, leave alone,
and rows with errors, each error with its row number, column name and a Chinese message); nothing is
written. commit_import() validates the same file again and, only when no row has an error, saves every
row through children.services in one transaction with the audit row. Importing the same file twice
creates nothing new: rows match existing children (身份证号, else name + birth date in the school) and
unchanged rows are skipped.
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
