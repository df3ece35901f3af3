"""The percentage column type under the path migrations 0003 and 0005 import it by.

``Percent`` lives in ``core.money`` beside ``Money``; this name stays so applied migrations are
never edited.
"""

from __future__ import annotations

from omnicrm.core.money import Percent

__all__ = ["Percent"]
