"""The REFI-QDA project schema (`schemas/Project.xsd`), loaded once when first needed.

The importer uses it to warn about files that depart from the standard; the exporter
to refuse writing one that does (other tools reject such files).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # xmlschema takes a second to import: only validating a project loads it
    import xmlschema


@lru_cache(maxsize=1)
def _project_schema() -> xmlschema.XMLSchema:
    import xmlschema

    return xmlschema.XMLSchema(str(Path(__file__).parent / "schemas" / "Project.xsd"))


def schema_problem(document: bytes) -> str | None:
    """The first way `document` departs from Project.xsd, in a few words; None if valid.

    Called only on a document defusedxml has already accepted or coder wrote itself,
    so it declares no entities for xmlschema to expand.
    """
    error = next(_project_schema().iter_errors(document.decode("utf-8", errors="replace")), None)
    return None if error is None else (error.reason or str(error)).splitlines()[0][:160]
