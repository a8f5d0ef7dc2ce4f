"""Loading CSV exports into the canonical tables (SPEC §4): read, map, validate, then write all or nothing.

files reads an export as it comes (archives, encodings, delimiters, the header); mapping resolves its columns
into a canonical table (a built-in preset of platforms.py, a saved one, or constants; oppositions keeps every
column that records an opposition); preparation stages a file (staging) and checks it (checks), writing
nothing; load writes a whole batch in one transaction; preview shows what a file would load as. Re-loading a
file changes nothing. By default a file with invalid rows is refused whole; with on_invalid="skip" its valid
rows load and the invalid ones are set aside (counted in the load log, and written to a CSV to download).
"""

from analytics.ingest.checks import FIRST_YEAR, LAST_YEAR
from analytics.ingest.load import LoadResult, empty_database, ingest_files
from analytics.ingest.preparation import Options, prepare
from analytics.ingest.preview import Inspection, distinct_values, inspect

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "Inspection",
    "LoadResult",
    "Options",
    "distinct_values",
    "empty_database",
    "ingest_files",
    "inspect",
    "prepare",
]
