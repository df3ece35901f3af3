"""The e-mail fast path (a plain ASCII local part, the domain checked once) gives exactly what
email-validator gives for the whole address: the same normalised address, or a refusal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicrm.customers import validation as v

ATEXT = "abcXYZ0189!#$%&'*+/=?^_`{|}~-"
# Domains email-validator takes, normalises (case, IDN) or refuses (special use, numeric TLD,
# no dot, hyphen at a label's edge, too long, an IP literal, empty).
DOMAINS = [
    "example.com",
    "Example.COM",
    "mail.example.co.uk",
    "xn--bcher-kva.example",
    "bücher.example",
    "a-b.example.org",
    "localhost",
    "example.local",
    "site.test",
    "host.invalid",
    "example.123",
    "nodot",
    "-bad.example.com",
    "bad-.example.com",
    "a..b.com",
    "[127.0.0.1]",
    "",
    ("x" * 63 + ".") * 4 + "com",
]


def _same(address: str) -> None:
    try:
        whole = v._whole_email(address.strip())
    except ValueError as exc:
        with pytest.raises(ValueError) as fast:
            v.normalise_email(address)
        assert str(fast.value) == str(exc)
    else:
        assert v.normalise_email(address) == whole


local_parts = st.one_of(
    st.text(alphabet=ATEXT + ".", min_size=0, max_size=70),
    st.lists(st.text(alphabet=ATEXT, min_size=1, max_size=12), min_size=1, max_size=4).map(
        ".".join
    ),
    st.text(min_size=0, max_size=10),  # anything: quotes, spaces, non-ASCII
)


@settings(max_examples=600, deadline=None)
@given(local=local_parts, domain=st.sampled_from(DOMAINS), pad=st.sampled_from(["", " ", "\t"]))
def test_the_fast_path_agrees_with_email_validator(local, domain, pad):
    _same(f"{pad}{local}@{domain}{pad}")


@pytest.mark.parametrize(
    "address",
    [
        "Jane.Doe@Example.COM",
        "first.last+tag@mail.example.co.uk",
        '"quoted local"@example.com',
        "jöhn@example.com",
        "a@b@example.com",
        "no-at-sign.example.com",
        "x" * 65 + "@example.com",
        "x" * 64 + "@" + ("d" * 60 + ".") * 3 + "com",
        ".dot@example.com",
        "dot.@example.com",
        "two..dots@example.com",
        "user@localhost",
    ],
)
def test_edge_addresses_agree(address):
    _same(address)
