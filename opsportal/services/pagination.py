from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def clamp(page: int, page_size: int) -> tuple[int, int]:
    """A valid (page, page_size): pages start at 1, sizes are 1..MAX_PAGE_SIZE."""
    return max(1, int(page)), min(MAX_PAGE_SIZE, max(1, int(page_size)))
