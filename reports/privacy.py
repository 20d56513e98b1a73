"""What the bureau copy must not carry."""

import re

# An ID number (17 digits and a check character) or a phone number (mobile, or landline with area code)
# typed into the narrative; the bureau copy must carry none.
_IDENTIFIER = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def scrub_identifiers(text: str) -> str:
    """Mask ID and phone numbers in free text (the principal's narrative and case stories)."""
    return _IDENTIFIER.sub(lambda m: "*" * len(m.group(0)), text)
