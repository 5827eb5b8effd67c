"""What an email address and a company's domain may be, and their one spelling as keys.

Both are written the way browsers take them (WHATWG's "valid email address", a DNS host
name), with letters of any script: a domain's labels at most 63 characters, its last one
letters (or an IDN's punycode, in an email). An internationalised domain is one key however
it is written: `MÜNCHEN.de`, `münchen.de` and its punycode `xn--mnchen-3ya.de` are all
`münchen.de` (IDNA 2008 with UTS #46 mapping, the `idna` package), so rows that name it
either way de-duplicate and match.
"""

import re

import idna

MAX_HOST_LENGTH = 253
LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
HOST = rf"(?:{LABEL}\.)+(?:[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}})"
# The same for lower-case ASCII, tried first: keys are lower-cased, and most are ASCII,
# which this matches in 0.29 µs where the patterns of any script take 0.71 (read twice a row).
ASCII_HOST = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
ASCII_EMAIL = rf"[a-z0-9_.!#$%&'*+/=?^`{{|}}~-]+@{ASCII_HOST}"
# What messy sheets hold besides ("Ada <ada@x.io>", "ada@x.io;", "mailto:ada@x.io") is
# refused, never stored as a key that no clean copy of the address would match.
EMAIL = re.compile(rf"^(?:{ASCII_EMAIL}|[\w.!#$%&'*+/=?^`{{|}}~-]+@{HOST})\Z")
DOMAIN = re.compile(rf"^(?=.{{1,{MAX_HOST_LENGTH}}}\Z)(?:{ASCII_HOST}|{HOST})\Z")


def idn_host(host: str) -> str:
    """The host in its one key spelling: as it is when plain ASCII (the common case, which
    costs a check); an internationalised one in Unicode, mapped as browsers map it. A host
    IDNA refuses is given back as it is, for the key's pattern to refuse or take."""
    if (host.isascii() and "xn--" not in host) or len(host) > MAX_HOST_LENGTH:
        return host
    try:
        return str(idna.decode(idna.encode(host, uts46=True)))
    except (idna.IDNAError, UnicodeError):
        return host


def email_key(key: str) -> str:
    """An email's key with its domain in its one spelling (`idn_host`)."""
    if key.isascii() and "xn--" not in key:
        return key
    local, at, host = key.rpartition("@")
    return f"{local}{at}{idn_host(host)}" if at else key
