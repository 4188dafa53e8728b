"""The agency's letterhead, signature blocks and the executive's acknowledgement on a document."""

from reports.layout import Document


def sign_off(document: Document, agency, fiscal_year: int, kind: str, round_kind: str = "") -> Document:
    """The document with what the agency configured for documents of `kind` ("analysis", "plan",
    "improvement", "progress", "combined") of `fiscal_year`; being built (issue 12)."""
    return document
