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
- `since` (the change feed's cursor) is opaque too: a schema-valid one is
  replaced by one the server issued.
- `as_of` is an RFC 3339 time, which the document gives by shape; the
  calendar (month 13, 31 February, hour 25) it cannot: a schema-valid
  `as_of` is replaced by a real time, before any write or the bundled
  data's (both stay the same states while the run writes, so the server
  builds each once, as it would for a real client).
- A record read `as_of` one of those times is read as it was then, before
  any DELETE of the run, so a 200 for a record deleted since is the point
  of `as_of`, not a use after free (ST301): such failures are dropped. A
  deleted record's history is exempt in schemathesis.toml instead, by route.
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
AS_OF = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")
TIMES = ["1990-01-01T00:00:00Z"]  # before any write; the seed's time is added


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
    first = _get("/v1/changes?limit=1")
    _cursors[("changes", "")] = first["next"]
    TIMES.append(first["changes"][0]["at"])
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
    since = query.get("since")
    if isinstance(since, str) and CURSOR.match(since):
        query["since"] = _harvest()[("changes", "")]
    as_of = query.get("as_of")
    if isinstance(as_of, str) and AS_OF.match(as_of):
        _harvest()  # adds the bundled data's time to TIMES
        query["as_of"] = TIMES[len(as_of) % len(TIMES)]
    lo, hi = query.get("from"), query.get("to")
    if isinstance(lo, str) and isinstance(hi, str) and DATE.match(lo) and DATE.match(hi):
        if _span(lo, True) > _span(hi, False):
            query["from"], query["to"] = hi, lo
    return case


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    as_of = (case.query or {}).get("as_of")
    return not (failure.code == "ST301" and as_of in TIMES)
