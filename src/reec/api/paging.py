"""Pages of the licence book's lists (issue 11 item 8): the web page's pager and the API's
`limit`/`offset` with `X-Total-Count` and an RFC 8288 `Link` header. The order is stable (by
record id), so a page holds the same records until one is added."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import URL

__all__ = ["API_LIMIT", "API_MAX_LIMIT", "PAGE_SIZE", "Pager", "link_header"]

PAGE_SIZE = 50
"""Rows per list on the web page."""
API_LIMIT = 100
"""`GET /v1/applications` and `/v1/licences` answer this many when no `limit` is given."""
API_MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Pager:
    """Page `number` (from 1) of `total` rows, `size` a page, for the query parameter `param`."""

    param: str
    number: int
    total: int
    size: int = PAGE_SIZE

    @classmethod
    def of(cls, param: str, asked: int | None, total: int, size: int = PAGE_SIZE) -> Pager:
        """A page number from the query string, kept within 1..last."""
        last = max(1, -(-total // size))
        return cls(param, min(max(asked or 1, 1), last), total, size)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """1-based index of the page's first row (0 when the list is empty)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    def href(self, url: URL, number: int) -> str:
        """`url` with this pager's parameter set to `number` (other parameters kept)."""
        to = url.include_query_params(**{self.param: number})
        return f"{to.path}?{to.query}"


def link_header(url: URL, offset: int, limit: int, total: int) -> str:
    """`<...>; rel="next", <...>; rel="prev"` for the API's list calls ('' on a single page)."""

    def at(start: int) -> str:
        return str(url.include_query_params(offset=start, limit=limit))

    links = []
    if offset + limit < total:
        links.append(f'<{at(offset + limit)}>; rel="next"')
    if offset > 0:
        links.append(f'<{at(max(0, offset - limit))}>; rel="prev"')
    return ", ".join(links)
