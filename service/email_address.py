"""Email addresses in the form mail can deliver: the one check for people, users and CSV imports.

Addresses go into invites (`ATTENDEE:mailto:`), mail headers and feeds, whose builders refuse
control characters and spaces; an address they would refuse must be refused when it is entered,
not when the first invite of that person's sessions is built. Accepted is the part of RFC 5321
that every mail system takes: a dot-atom before the @ (ASCII letters, digits and
!#$%&'*+/=?^_`{|}~-) and a domain of letter-digit-hyphen labels. An internationalised domain
is kept in its ASCII (xn--) form, which every mail server and calendar understands.
"""

from __future__ import annotations

import re

from service.errors import invalid_field

MAX_LENGTH = 254  # RFC 5321's limit on a path (256) less its angle brackets
MAX_LOCAL_LENGTH = 64
MAX_LABEL_LENGTH = 63

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def normalise_email(text: str) -> str:
    """The address as stored: trimmed, lower case, ASCII domain. ValueError says what is wrong."""
    email = text.strip().lower()
    local, at, domain = email.rpartition("@")
    if not (at and local and domain) or "@" in local:
        raise ValueError("must be one name, an @ and a domain, e.g. anan@opdc.go.th")
    if len(local) > MAX_LOCAL_LENGTH:
        raise ValueError(f"the part before the @ may be at most {MAX_LOCAL_LENGTH} characters")
    if not _LOCAL_PART.fullmatch(local):
        raise ValueError(
            "the part before the @ may hold letters a-z, digits, !#$%&'*+/=?^_`{|}~- and "
            "single dots between them, and no spaces or control characters"
        )
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("the part after the @ is not a domain name") from None
    labels = domain.split(".")
    if (
        len(labels) < 2
        or labels[-1].isdigit()
        or not all(len(label) <= MAX_LABEL_LENGTH and _LABEL.fullmatch(label) for label in labels)
    ):
        raise ValueError(
            "the domain must be names of letters, digits and inner hyphens joined by dots, "
            "e.g. opdc.go.th"
        )
    email = f"{local}@{domain}"
    if len(email) > MAX_LENGTH:
        raise ValueError(f"must be at most {MAX_LENGTH} characters")
    return email


def check_email(field: str, text: str) -> str:
    """`normalise_email` for a request: a 422 naming `field` when the address is unusable."""
    try:
        return normalise_email(text)
    except ValueError as exc:
        raise invalid_field(field, f"is not an email address: {exc}") from None
