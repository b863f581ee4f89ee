"""The part of the IPTC ninjs 2.0 JSON schema the hub writes, restated by hand from the
specification (https://www.iptc.org/std/ninjs/userguide/): the same property names, types,
enumerations and required members, every object closed as the schema closes it."""

from __future__ import annotations

from typing import Any


def _closed(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    """An object with these members and no others."""
    closed: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    return (closed | {"required": list(required)}) if required else closed


def _text_object(*extra: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"role": {"type": "string"}, "contenttype": {"type": "string"}}
    properties |= {"value": {"type": "string"}}
    properties |= {name: {"type": "number"} for name in extra}
    return _closed(properties, "value")


def _concept() -> dict[str, Any]:
    return _closed(
        {
            "name": {"type": "string"},
            "rel": {"type": "string"},
            "uri": {"type": "string", "format": "uri"},
            "literal": {"type": "string"},
        }
    )


DATE_TIME = {"type": "string", "format": "date-time"}

NINJS_2_0: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "additionalProperties": False,
    "required": ["uri"],
    "properties": {
        "uri": {"type": "string", "format": "uri"},
        "type": {
            "type": "string",
            "enum": ["text", "audio", "video", "picture", "graphic", "composite", "component"],
        },
        "version": {"type": "string"},
        "firstcreated": DATE_TIME,
        "versioncreated": DATE_TIME,
        "pubstatus": {"type": "string", "enum": ["usable", "withheld", "canceled"]},
        "copyrightholder": {"type": "string"},
        "ednote": {"type": "string"},
        "language": {"type": "string"},
        "by": {"type": "string"},
        "headlines": {"type": "array", "items": _text_object()},
        "bodies": {"type": "array", "items": _text_object("charcount", "wordcount")},
        "subjects": {"type": "array", "items": _concept()},
        "places": {"type": "array", "items": _concept()},
        "altids": {
            "type": "array",
            "items": _closed({"role": {"type": "string"}, "value": {"type": "string"}}),
        },
        "renditions": {
            "type": "array",
            "items": _closed(
                {
                    "name": {"type": "string"},
                    "href": {"type": "string", "format": "uri"},
                    "contenttype": {"type": "string"},
                    "title": {"type": "string"},
                    "height": {"type": "number"},
                    "width": {"type": "number"},
                    "sizeinbytes": {"type": "number"},
                    "duration": {"type": "number"},
                    "format": {"type": "string"},
                },
                "name",
            ),
        },
        "standard": _closed(
            {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "schema": {"type": "string", "format": "uri"},
            }
        ),
    },
}
