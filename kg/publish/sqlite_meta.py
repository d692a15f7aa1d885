"""The ``meta`` table that kg's SQLite files in a release carry (``oai.sqlite``, ``quality-facts.sqlite``).

A build starts such a file from the previous release's copy only when that copy says it is of the version
the build writes; anything else (no file, another version, a file kg did not write) starts empty.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def meta_value(path: Path, key: str) -> str | None:
    """The ``meta`` table's value for ``key`` in the SQLite file at ``path``, read-only; None when the file,
    the table or the key is missing, or the file is not an SQLite database."""
    if not path.exists():
        return None
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None
    except sqlite3.DatabaseError:
        return None  # not a table kg wrote: start empty
    finally:
        connection.close()
