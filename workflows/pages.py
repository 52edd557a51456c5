"""One page of a list, with whether there is a next one (no full count: lists stay fast)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with whether there is a next one (no full count: lists stay fast)."""

    items: tuple[T, ...]
    page: int
    has_next: bool
