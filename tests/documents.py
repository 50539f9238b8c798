"""Small real documents for tests that upload evidence (uploads are read, not just sniffed).

``PDF`` is one page reading "Classroom evidence", written the way the upload cleaning writes
PDFs (no document information, no XMP, an identifier derived from the content), so cleaning
stores it byte for byte and a test may compare what it downloads with what it sent.
"""

from __future__ import annotations

import io
from functools import cache

import pikepdf

PDF_TEXT = "Classroom evidence"


@cache
def small_pdf(text: str = PDF_TEXT) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica (a few hundred bytes)."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(300, 200))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    page.Contents = pdf.make_stream(f"BT /F1 18 Tf 36 100 Td ({escaped}) Tj ET".encode())
    first = io.BytesIO()
    pdf.save(first, deterministic_id=True)
    pdf.close()
    # Once more as the cleaning writes it: its identifier then comes from the content alone.
    with pikepdf.open(io.BytesIO(first.getvalue())) as again:
        del again.trailer["/ID"]
        out = io.BytesIO()
        again.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, deterministic_id=True)
    return out.getvalue()


PDF = small_pdf()
