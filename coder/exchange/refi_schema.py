"""The REFI-QDA project schema (`schemas/Project.xsd`), loaded once when first needed.

The importer uses it to warn about files that depart from the standard; the exporter
to refuse writing one that does (other tools reject such files). lxml validates: it
builds the schema in a tenth of a second, where a pure-Python validator takes seconds,
which an export would spend every time it runs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lxml is imported where it is used, so the command line starts at once
    from lxml import etree


@lru_cache(maxsize=1)
def _project_schema() -> etree.XMLSchema:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas" / "Project.xsd")))


def schema_problem(document: bytes) -> str | None:
    """The first way `document` departs from Project.xsd, in a few words; None if valid.

    Parsed without a DTD, entities or network, so an untrusted document can do no more
    here than it could in defusedxml, which has already accepted it on import.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        return f"not well-formed XML: {exc}"[:160]
    schema = _project_schema()
    if schema.validate(root):
        return None
    error = next(iter(schema.error_log))
    return f"line {error.line}: {error.message}"[:160]
