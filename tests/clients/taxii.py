"""A TAXII 2.1 client reads factline's collection as the STIX export has it.

taxii2-client finds the collection from discovery (the API root and the
collection titled `factline`), walks it in pages, and must get exactly the
objects of `/v1/export?format=stix`; the manifest, one object, its versions
and a `match[type]` filter agree with the export, and so does stix2's
TAXIICollectionSource. After an editor changes a group over REST,
`added_after` gives exactly the changed objects and the group's intrusion set
has one version more, the old one unchanged. Errors are TAXII errors.

    python3 taxii.py http://127.0.0.1:PORT EDITOR_KEY
"""

import math
import sys

import requests
import stix2
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Server, as_pages

TAXII21 = "application/taxii+json;version=2.1"
PER_PAGE = 100  # small, so the bundled dataset takes many pages
NO_SUCH_COLLECTION = "00000000-0000-4000-8000-000000000000"


def when(ts):
    """A STIX/TAXII timestamp as a sortable key, whatever its sub-second digits."""
    day, _, rest = ts.rstrip("Z").partition("T")
    clock, _, frac = rest.partition(".")
    return (day, clock, frac.ljust(9, "0"))


def export(base):
    """The STIX bundle's objects by id."""
    res = requests.get(f"{base}/v1/export", params={"format": "stix"}, timeout=120)
    res.raise_for_status()
    bundle = res.json()
    assert bundle.get("type") == "bundle", f"the export is not a bundle: {str(bundle)[:200]}"
    objects = {o["id"]: o for o in bundle["objects"]}
    assert len(objects) == len(bundle["objects"]), "the export holds an id twice"
    return objects


def walk(endpoint, **filters):
    """Everything a paged endpoint (objects, manifest) gives, and how many pages."""
    items, pages = [], 0
    for envelope in as_pages(endpoint, per_request=PER_PAGE, **filters):
        pages += 1
        more, next_ = envelope.get("more", False), envelope.get("next")
        assert not more or next_, f"page {pages} says more but gives no next: {sorted(envelope)}"
        assert pages <= 1_000, "`more` stays true: the walk never ends"
        page = envelope.get("objects", [])
        ok = len(page) == PER_PAGE if more else len(page) <= PER_PAGE
        assert ok, f"page {pages} (more={more}) holds {len(page)} items for limit={PER_PAGE}"
        items.extend(page)
    return items, pages


def by_id(objects, what):
    out = {}
    for o in objects:
        assert o["id"] not in out, f"{what}: {o['id']} comes twice"
        out[o["id"]] = o
    return out


def same(got, want, what):
    """The same objects as the export's, each equal to its own."""
    missing, extra = sorted(want.keys() - got.keys()), sorted(got.keys() - want.keys())
    assert not missing and not extra, (
        f"{what}: {len(missing)} objects missing (e.g. {missing[:3]}), "
        f"{len(extra)} extra (e.g. {extra[:3]})"
    )
    differ = sorted(i for i in want if got[i] != want[i])
    assert not differ, (
        f"{what}: {len(differ)} objects differ from the export, e.g. {differ[0]}:\n"
        f"  served {got[differ[0]]}\n  export {want[differ[0]]}"
    )


def taxii_get(url, params=None, accept=TAXII21, status=200):
    """A plain GET whose status and TAXII media type are checked."""
    res = requests.get(url, params=params, headers={"Accept": accept}, timeout=60)
    where = f"GET {res.url} (Accept: {accept})"
    assert res.status_code == status, f"{where}: {res.status_code}, expected {status}: {res.text[:300]}"
    kind = res.headers.get("Content-Type", "")
    assert kind.startswith("application/taxii+json"), f"{where}: Content-Type {kind!r}"
    if status >= 400:
        body = res.json()
        ok = body.get("title") and str(body.get("http_status")) == str(status)
        assert ok, f"{where}: a TAXII error needs `title` and `http_status` {status}: {body}"
    return res


def group_stix_id(objects, slug):
    """The intrusion set the export made of a group, by its factline reference."""
    ids = [
        o["id"]
        for o in objects.values()
        if o["type"] == "intrusion-set"
        and {"source_name": "factline", "external_id": f"groups/{slug}"} in o.get("external_references", [])
    ]
    assert len(ids) == 1, f"the export has {len(ids)} intrusion sets for group {slug}"
    return ids[0]


def edit_group(base, key, slug):
    """A new English description for the group, through REST with its ETag."""
    url = f"{base}/v1/groups/{slug}"
    res = requests.get(url, timeout=30)
    res.raise_for_status()
    texts = [{k: t[k] for k in ("field", "lang", "text")} for t in res.json()["texts"]]
    mark = "(Edited by tests/clients/taxii.py.)"
    english = [t for t in texts if t["field"] == "description" and t["lang"] == "en"]
    if english:
        english[0]["text"] = f"{english[0]['text']} {mark}"
    else:
        texts.append({"field": "description", "lang": "en", "text": mark})
    res = requests.patch(
        url,
        json={"texts": texts},
        headers={
            "Authorization": f"Bearer {key}",
            "If-Match": res.headers["ETag"],
            "X-Change-Reason": "tests/clients/taxii.py: a new version over TAXII",
        },
        timeout=30,
    )
    assert res.status_code == 200, f"PATCH {url}: {res.status_code}: {res.text[:500]}"


def main(base, key):
    # 1. Discovery, the API root, the collection.
    discovery = taxii_get(f"{base}/taxii2/").json()
    roots = discovery.get("api_roots", [])
    ok = len(roots) == 1 and roots[0].startswith(("http://", "https://")) and roots[0].endswith("/")
    assert ok, f"discovery should list one absolute API root ending in /: {roots}"
    default = discovery.get("default")
    assert default == roots[0], f"discovery's default {default} is not its API root {roots[0]}"
    taxii_get(f"{base}/taxii2/", accept="application/taxii+json")  # no version: the latest, 2.1
    server = Server(f"{base}/taxii2/")
    root = server.default
    assert root is not None and len(server.api_roots) == 1, "taxii2-client sees no default API root"
    versions = [v.replace(" ", "") for v in root.versions]
    assert TAXII21 in versions, f"the API root's versions lack {TAXII21}: {root.versions}"
    found = [c for c in root.collections if c.title == "factline"]
    titles = [c.title for c in root.collections]
    assert len(found) == 1, f"{len(found)} collections titled factline among {titles}"
    collection = found[0]
    rights = (collection.can_read, collection.can_write)
    assert rights == (True, False), f"the collection is read-only, not (can_read, can_write) = {rights}"

    # 2. The whole collection in pages is the export.
    want = export(base)
    objects, pages = walk(collection.get_objects)
    same(by_id(objects, "the walk"), want, "the walk")
    expected_pages = math.ceil(len(want) / PER_PAGE)
    ok = pages == expected_pages > 1
    assert ok, f"{len(want)} objects came in {pages} pages of {PER_PAGE}, expected {expected_pages}"
    print(f"walk: {len(objects)} objects in {pages} pages of {PER_PAGE}, equal to the export")

    # 3. One object, the manifest, the versions.
    res = requests.get(f"{base}/v1/groups", params={"limit": 1}, timeout=30)
    res.raise_for_status()
    slug = res.json()["data"][0]["slug"]
    gid = group_stix_id(want, slug)
    got = collection.get_object(gid).get("objects", [])
    assert got == [want[gid]], f"get_object({gid}) gave {got}"
    manifest, _ = walk(collection.get_manifest)
    entries = by_id(manifest, "the manifest")
    missing = sorted(want.keys() - entries.keys())
    ok = entries.keys() == want.keys()
    assert ok, f"the manifest has {len(entries)} ids, the export {len(want)}; e.g. missing {missing[:3]}"
    wrong = [i for i in want if entries[i].get("version") != want[i]["modified"]]
    wrong += [i for i, m in entries.items() if not m.get("date_added")]
    assert not wrong, (
        f"{len(wrong)} manifest entries lack date_added or are not the export's version, "
        f"e.g. {entries[wrong[0]]}"
    )
    # The collection's last date_added, by the server's clock: what came after it is new.
    point = max((m["date_added"] for m in manifest), key=when)
    header = taxii_get(collection.objects_url, params={"match[id]": gid}).headers
    first, last = header.get("X-TAXII-Date-Added-First"), header.get("X-TAXII-Date-Added-Last")
    assert first and last, f"Get Objects lacks the X-TAXII-Date-Added-First/Last headers: {dict(header)}"
    assert when(last) <= when(point), f"X-TAXII-Date-Added-Last {last} is after the manifest's last {point}"
    late = collection.get_objects(added_after=point).get("objects", [])
    assert not late, f"{len(late)} objects added after the manifest's last date_added {point}"
    before = collection.object_versions(gid).get("versions", [])
    modified = want[gid]["modified"]
    ok = max(before, key=when, default=None) == modified
    assert ok, f"versions of {gid}: {before}, the last is not the export's {modified}"

    # 4. match[type].
    sets, _ = walk(collection.get_objects, type="intrusion-set")
    types = sorted({o["type"] for o in sets})
    assert types == ["intrusion-set"], f"match[type]=intrusion-set gave {types}"
    intrusion_sets = {i: o for i, o in want.items() if o["type"] == "intrusion-set"}
    same(by_id(sets, "match[type]"), intrusion_sets, "match[type]=intrusion-set")

    # 5. stix2 reads the collection (the type filter is sent as match[type], not applied by stix2).
    source = stix2.TAXIICollectionSource(collection)
    obj = source.get(gid)
    ok = obj is not None and obj.id == gid and obj.name == want[gid]["name"]
    assert ok, f"TAXIICollectionSource.get({gid}) gave {obj}"
    queried = {o.id for o in source.query([stix2.Filter("type", "=", "intrusion-set")])}
    ok = queried == intrusion_sets.keys()
    assert ok, f"TAXIICollectionSource.query: {len(queried)} intrusion sets, the export {len(intrusion_sets)}"

    # 6. An edit is a new version, and added_after gives exactly what changed.
    edit_group(base, key, slug)
    now = export(base)
    changed = {i for i in now if i not in want or now[i].get("modified") != want[i].get("modified")}
    edited = now[gid]["modified"]
    assert when(edited) > when(modified), f"the export's {gid} was {modified}, is {edited} after the edit"
    new, _ = walk(collection.get_objects, added_after=point)
    same(by_id(new, "added_after"), {i: now[i] for i in changed}, f"added_after={point}")
    after = sorted(collection.object_versions(gid).get("versions", []), key=when)
    expected = sorted(before + [edited], key=when)
    assert after == expected, f"versions of {gid} after the edit: {after}, expected {expected}"
    latest = collection.get_object(gid).get("objects", [])
    assert latest == [now[gid]], f"get_object({gid}) after the edit is not the new version: {latest}"
    oldest = [o["modified"] for o in collection.get_object(gid, version="first").get("objects", [])]
    assert oldest == after[:1], f"match[version]=first gave {oldest}, expected {after[0]}"
    every = collection.get_object(gid, version="all").get("objects", [])
    got = sorted((o["modified"] for o in every), key=when)
    assert got == after, f"match[version]=all gave versions {got}, expected {after}"
    assert want[gid] in every, f"match[version]=all lost the version before the edit: {every}"

    # 7. Errors are TAXII errors.
    taxii_get(f"{root.url}collections/{NO_SUCH_COLLECTION}/", status=404)
    taxii_get(f"{root.url}collections/{NO_SUCH_COLLECTION}/objects/", status=404)
    taxii_get(collection.objects_url, params={"added_after": "garbage"}, status=400)
    res = requests.get(collection.objects_url, headers={"Accept": "application/json"}, timeout=30)
    ok = res.status_code == 406
    assert ok, f"GET {res.url} (Accept: application/json): {res.status_code}, expected 406"

    print(
        f"taxii: {len(want)} objects in {pages} pages, {len(entries)} manifest entries, "
        f"{len(intrusion_sets)} intrusion sets; an edit of {slug} gave {len(changed)} new object(s) "
        f"and {len(after)} versions of {gid}; errors 404/400/406"
    )


if __name__ == "__main__":
    try:
        main(sys.argv[1].rstrip("/"), sys.argv[2])
    except AssertionError as e:
        sys.exit(f"taxii: {e}")
    except requests.HTTPError as e:
        res = e.response
        sys.exit(f"taxii: {res.request.method} {res.url}: {res.status_code}: {res.text[:500]}")
    except TAXIIServiceException as e:
        sys.exit(f"taxii: taxii2-client refused an answer: {e}")
