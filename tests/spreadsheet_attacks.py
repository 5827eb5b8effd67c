"""Cells that spreadsheets run as formulas (OWASP "CSV Injection" examples and friends), for
the tests of the files the platform serves and reads."""

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "@SUM(1+1)",
    "=cmd|' /C calc'!A0",
    "+1 555 0100",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]

# Values near the escape itself: already quoted, a quote that is the value's own, a CR inside.
QUOTED = ["'=already escaped", "''@twice", "'plain quote", "a\rcarriage return inside"]
