"""What a file that is not CSV text looks like, by its first bytes: people upload workbooks,
UTF-16 exports and compressed files for a CSV, and a refusal that names the kind of file
tells them what to do where one that names a byte does not."""

# The first bytes of kinds of file sent for a CSV, and what each is, for a person.
SIGNATURES = (
    (b"\xff\xfe", 'UTF-16 text (as Excel saves "Unicode Text")'),
    (b"\xfe\xff", "UTF-16 text"),
    (b"PK\x03\x04", "a zip file, such as an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel workbook (.xls)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF-", "a PDF document"),
)
# Bytes enough to tell them all.
SIGNATURE_BYTES = max(len(signature) for signature, _ in SIGNATURES)


def kind_of_file(start: bytes) -> str | None:
    """What a file starting with these bytes is, if it is a kind known not to be CSV."""
    for signature, kind in SIGNATURES:
        if start.startswith(signature):
            return kind
    return None
