"""Every collection's data dictionary passes frictionless as it is served.

For each collection, `frictionless validate <base>/v1/<collection>/schema`
(the descriptor read from its URL, the CSV from the descriptor's `path`)
must be valid, and the CSV must hold as many rows as the collection has
records (`page.total` of the JSON list).

    python3 frictionless_collections.py http://127.0.0.1:PORT
"""

import json
import subprocess
import sys
import urllib.request

COLLECTIONS = ["groups", "operations", "targets", "legal-outcomes", "sources"]


def total(base, collection):
    with urllib.request.urlopen(f"{base}/v1/{collection}?limit=1", timeout=30) as res:
        return json.load(res)["page"]["total"]


def main(base):
    frictionless = [sys.executable, "-m", "frictionless"]
    failed = False
    for c in COLLECTIONS:
        run = subprocess.run(
            [*frictionless, "validate", "--json", f"{base}/v1/{c}/schema"],
            capture_output=True,
            text=True,
        )
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            print(f"{c}: frictionless gave no report\n{run.stdout}\n{run.stderr}")
            failed = True
            continue
        # The rows as frictionless reads them through the descriptor.
        from frictionless import Resource

        with urllib.request.urlopen(f"{base}/v1/{c}/schema", timeout=30) as res:
            descriptor = json.load(res)
        with Resource.from_descriptor(descriptor) as resource:
            rows = len(resource.read_rows())
        want = total(base, c)
        ok = report.get("valid") and run.returncode == 0 and rows == want
        print(f"{c}: valid={report.get('valid')} rows={rows} expected={want}")
        if not ok:
            failed = True
            for t in report.get("tasks", []):
                for e in t.get("errors", [])[:10]:
                    print(f"  {e.get('type')}: {e.get('message')}")
            for e in report.get("errors", [])[:10]:
                print(f"  {e.get('type')}: {e.get('message')}")
    if failed:
        sys.exit("frictionless: a collection failed")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
