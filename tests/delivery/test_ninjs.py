"""A product's ninjs document: valid ninjs 2.0, with the product's words exactly as written."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import jsonschema_rs

from hub.delivery.ninjs import Item, Rendition, document
from tests.delivery.ninjs_schema import NINJS_2_0

VALIDATOR = jsonschema_rs.Draft4Validator(NINJS_2_0, validate_formats=True)
HOSTILE = '<script>alert("x")</script> & 洪水 "quoted"'


def item(**changes: object) -> Item:
    fields: dict[str, object] = {
        "product": uuid4(),
        "story": uuid4(),
        "channel": "wechat",
        "publication": 2,
        "version": 9,
        "title": HOSTILE,
        "body": "第一段\n\n第二段",
        "first_created": datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        "version_created": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        "by": "rui",
        "media": (
            Rendition("levee.jpg", "https://hub.test/p/x/media/y", "image/jpeg", 2048),
            Rendition("clip.mp4", "https://hub.test/p/x/media/z", "video/mp4", 9, 12.5),
        ),
        "subjects": ("WeChat", "Levee"),
        "places": ("Riverside",),
    }
    return Item(**(fields | changes))  # type: ignore[arg-type]


def test_a_published_product_is_valid_ninjs_2_0() -> None:
    made = item()
    doc = document(made, base_url="https://hub.test/", centre="县融媒体中心")
    VALIDATOR.validate(doc)
    assert doc["uri"] == f"https://hub.test/p/{made.product}"
    assert doc["version"] == "9" and doc["pubstatus"] == "usable" and doc["type"] == "composite"
    assert doc["headlines"] == [{"role": "main", "value": HOSTILE}]
    assert doc["bodies"][0]["value"] == "第一段\n\n第二段"
    assert [r["href"] for r in doc["renditions"]] == [
        "https://hub.test/p/x/media/y",
        "https://hub.test/p/x/media/z",
    ]
    assert doc["renditions"][1]["duration"] == 12.5
    assert doc["subjects"] == [{"name": "WeChat"}, {"name": "Levee"}]
    assert doc["places"] == [{"name": "Riverside"}]
    assert {"role": "publication", "value": "2"} in doc["altids"]


def test_a_retraction_is_canceled_with_its_note() -> None:
    doc = document(
        item(retraction="wrong figures", media=()), base_url="https://hub.test", centre="c"
    )
    VALIDATOR.validate(doc)
    assert doc["pubstatus"] == "canceled" and doc["ednote"] == "wrong figures"
    assert doc["type"] == "text" and "renditions" not in doc


def test_the_schema_refuses_what_ninjs_refuses() -> None:
    doc = document(item(), base_url="https://hub.test", centre="c")
    for broken in (
        {k: v for k, v in doc.items() if k != "uri"},
        doc | {"pubstatus": "live"},
        doc | {"headline": "not a ninjs property"},
        doc | {"renditions": [{"href": "https://hub.test/x"}]},
    ):
        assert not VALIDATOR.is_valid(broken)
