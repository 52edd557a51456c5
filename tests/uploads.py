"""Uploads nobody should be able to store: every upload path (staff's documents, the
public intake's attachments) is tested with the same list, so the checks cannot drift apart."""

from __future__ import annotations

import zipfile
from io import BytesIO


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
#: a .docx that expands to 60 MB (60 kB on disk): a zip bomb
ZIP_BOMB = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(60 * 1024 * 1024)})
MANY_PARTS = _zip({"word/document.xml": b"<w/>", **{f"p/{i}.xml": b"" for i in range(2001)}})
A_DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})

#: (file name, content, the start of the Dutch message that refuses it)
UNWELCOME = [
    ("setup.exe", b"MZ\x90\x00\x03", "Bestandstype '.exe' wordt niet aangenomen."),
    (
        "plan.docx",
        ZIP_BOMB,
        "Het bestand 'plan.docx' wordt uitgepakt groter dan 50 MB en wordt daarom niet aangenomen.",
    ),
    ("plan.docx", MANY_PARTS, "Het bestand 'plan.docx' bevat te veel onderdelen (2002;"),
    (
        "begroting.xlsx",
        A_DOCX,  # a ZIP, but no workbook in it
        "Het bestand 'begroting.xlsx' is geen geldig .xlsx-bestand.",
    ),
    ("plan.docx", b"PK\x03\x04kapot", "Het bestand 'plan.docx' is geen geldig .docx-bestand."),
    (
        "begroting.pdf",
        b"<html>geen pdf</html>",
        "Het bestand 'begroting.pdf' is geen echt .pdf-bestand.",
    ),
    ("leeg.pdf", b"", "Het bestand 'leeg.pdf' is leeg."),
    ("zonder-extensie", b"tekst", "Bestandstype '.?' wordt niet aangenomen."),
    ("lijst.csv", b"\xff\xfe\x00k", "Het bestand 'lijst.csv' is geen leesbare tekst (UTF-8)."),
    ("...", PDF, "Het bestand heeft geen bruikbare naam."),
]
#: a name per case of UNWELCOME, for the tests' ids
UNWELCOME_IDS = [
    "exe",
    "zip-bomb-docx",
    "docx-of-2002-parts",
    "zip-named-xlsx",
    "broken-docx",
    "fake-pdf",
    "empty",
    "no-extension",
    "binary-csv",
    "no-name",
]
