"""What may change in a PDF after it was signed: pyHanko's policy, plus annotations.

pyHanko's default difference analysis treats any annotation added after a
signature as suspicious (`ModificationLevel.ANNOTATIONS` is declared but
"currently unused"), so the prefecture stamp, added as a stamp annotation on
a signed act, would make the act's signature look tampered with. Adding
comments and stamps after an approval signature is what Acrobat allows and
what DocMDP level 3 permits, so this policy adds one rule: new markup
annotations on existing pages are accepted at level ANNOTATIONS, provided

- nothing else in the page dictionary changes, and no annotation is removed;
- the annotation and everything it refers to are new objects (no older object
  is overwritten through it), and it carries no action (/A, /AA);
- its type is a markup annotation that only draws over the page (no file
  attachment, link, media, watermark or redaction).

Widgets of newly created signature fields are still accepted as pyHanko does
(level LTA_UPDATES): pyHanko's own page walk for them refuses any other new
annotation on the page, so it is disabled and done here, once, for both.
Everything else keeps pyHanko's default rules.
"""

from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    FormUpdatingRule,
    GenericFieldModificationRule,
    ModificationLevel,
    QualifiedWhitelistRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.commons import compare_dicts
from pyhanko.sign.diff_analysis.rules_api import RelativeContext

# Markup annotations (ISO 32000-1 §12.5.6) that only draw over the page, and
# the popups that hold their text.
ALLOWED_SUBTYPES = frozenset({
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
    "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
})
_MAX_TREE_DEPTH = 64


class AnnotationAdditionRule(QualifiedWhitelistRule):
    """Accept annotations added to pages; see the module docstring for the conditions."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterator[tuple[ModificationLevel, ReferenceUpdate]]:
        old_root, new_root = old.root.raw_get("/Pages"), new.root.raw_get("/Pages")
        yield from self._walk(old, new, old_root, new_root, set(), 0)

    def _walk(self, old, new, old_raw, new_raw, seen, depth):
        if depth > _MAX_TREE_DEPTH:
            raise SuspiciousModification("Page tree too deep.")
        if not _all(generic.IndirectObject, old_raw, new_raw):
            raise SuspiciousModification("Page tree nodes must be indirect objects.")
        if old_raw.reference != new_raw.reference:
            raise SuspiciousModification("Unexpected change to the page tree structure.")
        if old_raw.reference in seen:
            raise SuspiciousModification("Cycle in the page tree.")
        seen.add(old_raw.reference)
        old_node, new_node = old_raw.get_object(), new_raw.get_object()
        if not _all(generic.DictionaryObject, old_node, new_node):
            raise SuspiciousModification("Page tree node is not a dictionary.")
        if old_node.get("/Type") == "/Pages" or "/Kids" in old_node:
            old_kids, new_kids = old_node.get("/Kids"), new_node.get("/Kids")
            if not _all(generic.ArrayObject, old_kids, new_kids):
                raise SuspiciousModification("/Kids is not an array.")
            if len(old_kids) != len(new_kids):
                raise SuspiciousModification("Pages were added or removed.")
            for old_kid, new_kid in zip(old_kids, new_kids, strict=True):
                yield from self._walk(old, new, old_kid, new_kid, seen, depth + 1)
        else:
            yield from self._page(old, new, old_raw.reference, old_node, new_node)

    def _page(self, old, new, page_ref, old_page, new_page):
        old_annots, old_annots_ref = _annots(old_page)
        new_annots, new_annots_ref = _annots(new_page)
        if old_annots == new_annots:
            return  # this page's annotations did not change (whatever their form)
        if old_annots is None or new_annots is None:
            raise SuspiciousModification(f"/Annots of page {page_ref} is not an array.")
        added = [item for item in new_annots if item not in old_annots]
        if any(item not in new_annots for item in old_annots):
            raise SuspiciousModification(f"Annotations were removed from page {page_ref}.")
        compare_dicts(old_page, new_page, frozenset({"/Annots"}))
        level = ModificationLevel.LTA_UPDATES
        for ref in added:
            if not isinstance(ref, generic.Reference) or not old.is_ref_unassignable(ref):
                raise SuspiciousModification(f"Annotation {ref} is not a new indirect object.")
            annot = new(ref)
            if not isinstance(annot, generic.DictionaryObject):
                raise SuspiciousModification(f"Annotation {ref} is not a dictionary.")
            subtype = annot.get("/Subtype")
            if subtype == "/Widget":
                # Approved (with its field) by pyHanko's SigFieldCreationRule if,
                # and only if, it belongs to a new signature field.
                if _field_type(annot) != "/Sig":
                    raise SuspiciousModification(f"Widget {ref} is not a signature field's.")
                continue
            if subtype not in ALLOWED_SUBTYPES:
                raise SuspiciousModification(f"Annotations of type {subtype} are not allowed.")
            if "/A" in annot or "/AA" in annot:
                raise SuspiciousModification(f"Annotation {ref} carries an action.")
            level = ModificationLevel.ANNOTATIONS
            yield level, ReferenceUpdate(ref)
            for dependency in new.collect_dependencies(annot, since_revision=old.revision + 1):
                if not old.is_ref_unassignable(dependency):
                    raise SuspiciousModification(f"Annotation {ref} overwrites {dependency}.")
                yield level, ReferenceUpdate(dependency)
        # Pages are referenced from many places (/Kids, /P, outlines…): the page
        # dictionary was checked to be unchanged but for /Annots, so approve all
        # its usages at once, as pyHanko does for signature widgets.
        yield level, ReferenceUpdate(page_ref)
        if new_annots_ref is not None:
            # Either the same array, updated, or a fresh one: never an older
            # object reused as the array.
            if new_annots_ref != old_annots_ref and not old.is_ref_unassignable(new_annots_ref):
                raise SuspiciousModification(f"/Annots of page {page_ref} reuses an existing object.")
            yield level, ReferenceUpdate(
                new_annots_ref, context_checked=RelativeContext(page_ref, RawPdfPath("/Annots"))
            )


def _all(kind: type, *values) -> bool:
    return all(isinstance(value, kind) for value in values)


def _annots(page: generic.DictionaryObject) -> tuple[list | None, generic.Reference | None]:
    """The page's annotations (references, or direct objects as they are) and
    the reference of the /Annots array if it is indirect. None if /Annots is not
    an array; nothing is refused here, so an odd page that did not change does
    not fail the analysis of a later, unrelated update."""
    if "/Annots" not in page:
        return [], None
    raw = page.raw_get("/Annots")
    array_ref = raw.reference if isinstance(raw, generic.IndirectObject) else None
    array = raw.get_object()
    if not isinstance(array, generic.ArrayObject):
        return None, array_ref
    return [
        item.reference if isinstance(item, generic.IndirectObject) else item for item in array
    ], array_ref


def _field_type(widget: generic.DictionaryObject) -> str | None:
    node = widget
    for _ in range(_MAX_TREE_DEPTH):
        if not isinstance(node, generic.DictionaryObject):
            return None
        if "/FT" in node:
            return node["/FT"]
        if "/Parent" not in node:
            return None
        node = node["/Parent"]
    return None


DIFF_POLICY = StandardDiffPolicy(
    global_rules=[*DEFAULT_DIFF_POLICY.global_rules, AnnotationAdditionRule()],
    form_rule=FormUpdatingRule(
        field_rules=[
            SigFieldCreationRule(approve_widget_bindings=False),
            SigFieldModificationRule(),
            GenericFieldModificationRule(),
        ],
    ),
)
"""pyHanko's default policy, with annotations accepted as described above."""
