"""Who a verified token speaks for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    """The owner id every task operation is scoped by, and the claims it came with."""

    user_id: str
    claims: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)
