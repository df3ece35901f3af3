"""How auth reacts to other domains' events (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.auth.deps import auth_deps
from omnicrm.auth.use_cases import forget_users_linked_to
from omnicrm.core.events import subscribe
from omnicrm.customers.events import ContactsChanged


@subscribe(ContactsChanged)
def reload_linked_users(session: Session, event: ContactsChanged) -> None:
    """Users linked to these contacts reload their identity (self-care customer, standing)."""
    forget_users_linked_to(session, contact_ids=list(event.contact_ids), deps=auth_deps())
