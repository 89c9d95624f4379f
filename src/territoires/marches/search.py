"""Full-text search over the portal's notices (placeholder until the search module lands)."""

from territoires.interop.cpv import fold


def notice_document(notice) -> str:
    """Accent-free lower-case text of the notice's searchable fields."""
    return fold(" ".join(filter(None, [notice.title, notice.description, notice.buyer_name])))
