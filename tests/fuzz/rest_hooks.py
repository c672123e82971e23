"""Schemathesis hooks for the REST run: values the OpenAPI document can
only describe by shape are made real where a schema-valid request needs
them to be.

- A cursor is opaque: the document gives its alphabet, but only a cursor the
  service issued, for the same list and sort, continues a list. A schema-valid
  cursor is replaced by a real one for the request's list and sort, taken
  from the running server (FUZZ_BASE) once. A cursor that breaks the schema
  is left as it is, so negative cases still reach the server.
- `from` after `to` is refused (400, naming `to`), a rule between two
  parameters that a schema cannot state: two schema-valid dates in the wrong
  order are swapped.
"""
import calendar
import json
import os
import re
import urllib.request

import schemathesis

BASE = os.environ["FUZZ_BASE"]
CURSOR = re.compile(r"^[A-Za-z0-9_-]+$")
DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?[?~%]?$")
LISTS = ["groups", "targets", "operations", "legal-outcomes", "sources"]

_cursors = {}


def _get(path):
    with urllib.request.urlopen(BASE + path, timeout=20) as r:
        return json.load(r)


def _harvest():
    """One real cursor per list and sort (and one for the timeline)."""
    if _cursors:
        return _cursors
    doc = _get("/openapi.json")
    for name in LISTS:
        sorts = [""]
        for p in doc["paths"][f"/v1/{name}"]["get"]["parameters"]:
            if p["name"] == "sort":
                sorts = p["schema"]["enum"]
        for sort in sorts:
            q = f"?limit=1&sort={sort}" if sort else "?limit=1"
            cursor = _get(f"/v1/{name}{q}")["page"]["next_cursor"]
            _cursors[(name, sort)] = cursor
    _cursors[("timeline", "")] = _get("/v1/timeline?limit=1")["page"]["next_cursor"]
    return _cursors


def _list_of(case):
    path = case.operation.path
    if path == "/v1/{collection}.csv":
        return (case.path_parameters or {}).get("collection")
    name = path.removeprefix("/v1/")
    return name if name in LISTS or name == "timeline" else None


def _span(value, first):
    m = DATE.match(value)
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if d:
        return (y, int(mo), int(d))
    if mo:
        mo = int(mo)
        return (y, mo, 1 if first else calendar.monthrange(y, mo)[1])
    return (y, 1, 1) if first else (y, 12, 31)


@schemathesis.hook
def map_case(ctx, case):
    query = case.query
    if not query:
        return case
    cursor = query.get("cursor")
    name = _list_of(case)
    if isinstance(cursor, str) and CURSOR.match(cursor) and name:
        sort = query.get("sort") if name in LISTS else ""
        cursors = _harvest()
        real = cursors.get((name, sort if isinstance(sort, str) else ""))
        if real is None:
            real = cursors.get((name, ""))
        if real:
            query["cursor"] = real
    lo, hi = query.get("from"), query.get("to")
    if isinstance(lo, str) and isinstance(hi, str) and DATE.match(lo) and DATE.match(hi):
        if _span(lo, True) > _span(hi, False):
            query["from"], query["to"] = hi, lo
    return case
