"""A page of rows computed outside Flask-SQLAlchemy's paginate, shaped like its
Pagination so the templates' pager macro reads either."""

import math
from dataclasses import dataclass


@dataclass
class ListPage:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_list(items: list, page: int, per_page: int) -> ListPage:
    """One page of an in-memory list; an out-of-range page number is clamped."""
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(page, 1), pages)
    return ListPage(items[(page - 1) * per_page : page * per_page], page, per_page, len(items))
