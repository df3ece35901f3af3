"""Marshmallow fields and validators shared by every domain's schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

MAX_ID = 2**31 - 1  # ids are 32-bit in the database: larger ones cannot exist
ID = validate.Range(min=1, max=MAX_ID)


class Text(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them; nobody types them)."""

    default_error_messages = {"nul": "Must not contain NUL characters."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        return text
