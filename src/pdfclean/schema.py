"""The output contract as JSON Schema (``pdfclean schema`` prints it)."""

from __future__ import annotations

from .model import BASE_SCHEMA_VERSION, BLOCK_TYPES, REMOVED_KINDS, SCHEMA_VERSION

_STR_OR_NULL = {"type": ["string", "null"]}

_BLOCK = {
    "type": "object",
    "required": ["type", "text", "pages"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": list(BLOCK_TYPES)},
        "text": {"type": "string", "minLength": 1},
        "pages": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1},
        "repairs": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "boxes": {"type": "array", "description": "with --explain: [page, x0, y0, x1, y1] per line",
                  "items": {"type": "array", "items": {"type": "number"}, "minItems": 5, "maxItems": 5}},
        "ocr": {"type": "boolean"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 100},
        "search_text": {"type": "string",
                        "description": "with --search-text (schema 1.3): the text folded for search "
                                       "(pdfclean.normalize_for_search in the document's language)"},
    },
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://pdfclean.invalid/schema/{SCHEMA_VERSION}",
    "title": "pdfclean document",
    "type": "object",
    "required": ["schema_version", "source", "metadata", "front_matter", "blocks", "removed",
                 "repairs", "warnings", "pages"],
    "additionalProperties": False,
    # a 1.2 document has no field new in 1.3
    "if": {"properties": {"schema_version": {"const": BASE_SCHEMA_VERSION}}},
    "then": {"properties": {k: {"items": {"not": {"required": ["search_text"]}}}
                            for k in ("blocks", "front_matter")}},
    "properties": {
        "schema_version": {"enum": [BASE_SCHEMA_VERSION, SCHEMA_VERSION],
                           "description": f"{SCHEMA_VERSION} when the document uses a field new in it "
                                          f"(search_text), else {BASE_SCHEMA_VERSION}: such a document "
                                          f"reads the same under both"},
        "source": {
            "type": "object",
            "required": ["file", "sha256", "pages", "producer", "creator", "engine"],
            "additionalProperties": False,
            "properties": {
                "file": _STR_OR_NULL,
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "pages": {"type": "integer", "minimum": 0},
                "producer": _STR_OR_NULL,
                "creator": _STR_OR_NULL,
                "engine": {"enum": ["pymupdf", "pdfplumber"]},
            },
        },
        "metadata": {
            "type": "object",
            "required": ["title", "author", "source", "published", "published_text", "publisher",
                         "language"],
            "additionalProperties": False,
            "properties": {
                "title": _STR_OR_NULL,
                "author": _STR_OR_NULL,
                "source": _STR_OR_NULL,
                "published": {
                    "type": ["string", "null"],
                    "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
                    "description": "ISO 8601 date (Gregorian), or null",
                },
                "published_text": {"type": ["string", "null"], "description": "the date as printed"},
                "publisher": _STR_OR_NULL,
                "language": {"type": ["string", "null"], "description": "ar, fa, en…"},
            },
        },
        "front_matter": {"type": "array", "items": _BLOCK},
        "blocks": {"type": "array", "items": _BLOCK},
        "removed": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "page", "text"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": list(REMOVED_KINDS)},
                    "page": {"type": "integer", "minimum": 1},
                    "text": {"type": "string"},
                    "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                             "description": "x0, y0, x1, y1 in points from the top-left of the page"},
                },
            },
        },
        "repairs": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "pages": {
            "type": "array",
            "description": "per page read: quality signals",
            "items": {
                "type": "object",
                "required": ["page", "lines", "chars", "quality", "reversed_word_rate", "image_coverage",
                             "ocr", "ocr_confidence", "account"],
                "additionalProperties": False,
                "properties": {
                    "page": {"type": "integer", "minimum": 1},
                    "lines": {"type": "integer", "minimum": 0},
                    "chars": {"type": "integer", "minimum": 0},
                    "quality": {"type": "number", "minimum": 0, "maximum": 1,
                                "description": "share of the text in real-looking words"},
                    "reversed_word_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                                           "description": "function words read backwards / all hits"},
                    "image_coverage": {"type": "number", "minimum": 0, "maximum": 1},
                    "ocr": {"type": "boolean", "description": "the page was read by OCR"},
                    "ocr_confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                    "account": {
                        "type": "object",
                        "description": "where the page's characters (white space aside) went: read + "
                                       "the sum of repairs = blocks + front_matter + article_head + furniture",
                        "required": ["read", "repairs", "blocks", "front_matter", "article_head",
                                     "furniture"],
                        "additionalProperties": False,
                        "properties": {
                            "read": {"type": "integer", "minimum": 0,
                                     "description": "as the text layer (or OCR) maps them"},
                            "repairs": {"type": "object", "additionalProperties": {"type": "integer"},
                                        "description": "characters each repair added (negative: removed)"},
                            "blocks": {"type": "integer", "minimum": 0},
                            "front_matter": {"type": "integer", "minimum": 0},
                            "article_head": {"type": "integer", "minimum": 0},
                            "furniture": {"type": "integer", "minimum": 0},
                            "text_layer_replaced": {"type": "integer", "minimum": 0,
                                                    "description": "an OCR page: characters of the "
                                                                   "text layer it replaced"},
                        },
                    },
                },
            },
        },
    },
}
