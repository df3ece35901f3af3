"""schemathesis hooks (named by ``schemathesis.toml``, so ``st run`` and the fuzz test share them).

The document marks numbering-plan-checked phone numbers with ``format: phone`` (see
``omnicrm/core/spec.py``). schemathesis knows neither how to make one nor how to tell one, so it
is taught both: real example numbers of many regions (libphonenumber's own), E.164 and national,
plus blank (which means null); and the server's own check, so that strings it finds elsewhere
(the app's source, other responses) are only used as phones when they are phones.
"""

from __future__ import annotations

import phonenumbers
import schemathesis
from hypothesis import strategies as st
from schemathesis.core.jsonschema import DRAFT4_SUPPLEMENTAL_FORMATS

from omnicrm.customers.validation import parse_phone

REGIONS = ("US", "GB", "AU", "DE", "FR", "IN", "BR", "JP", "ZA", "RU", "NG", "MX", "NZ", "SG")


def _examples() -> list[str]:
    numbers: list[str] = [""]
    for region in REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.append(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                )
    us = phonenumbers.example_number_for_type("US", phonenumbers.PhoneNumberType.MOBILE)
    numbers.append(phonenumbers.format_number(us, phonenumbers.PhoneNumberFormat.NATIONAL))
    return numbers


def _is_phone(value: object) -> bool:
    if not isinstance(value, str) or not value.strip():
        return True
    return len(value) <= 40 and parse_phone(value.strip()) is not None


schemathesis.openapi.format("phone", st.sampled_from(_examples()))
# OpenAPI 3.0 documents are validated as Draft 4, with these extra format checkers (the only hook
# schemathesis has for a format's meaning).
DRAFT4_SUPPLEMENTAL_FORMATS["phone"] = _is_phone
