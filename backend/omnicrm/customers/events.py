"""What happens to customers and their contacts, for the domains built on them."""

from __future__ import annotations

from dataclasses import dataclass

from omnicrm.core.events import Event


@dataclass(frozen=True)
class ContactsChanged(Event):
    """These contacts were deleted or their customer's standing changed (archived, restored):
    whatever a user linked to one of them may see is to be read again (auth's self-care
    link). Published before a deletion, while the links still exist."""

    contact_ids: tuple[int, ...]
