"""Pushes STIX content to a Tessera collection with the stix2 library's TAXII data store and
reads it back, printing what it saw as JSON. Used by test/interop/stix2-datastore.test.ts.

The scenario arrives as one JSON document on stdin:

    {"collection_url": "http://127.0.0.1:PORT/api1/collections/<id>/",
     "user": "...", "password": "...",
     "indicator": {<a STIX 2.1 indicator as a dict>},
     "malware": [{...}, {...}]}

TAXIICollectionSink.add() wraps whatever it is given in a STIX bundle and POSTs that bundle
(taxii2client Collection.add_objects): this is what the test checks the hub accepts. Each step is
reported as {"ok": true, "value": ...} or {"ok": false, "error": "..."}.
"""

import json
import sys
import traceback

import stix2
from taxii2client.v21 import Collection


def main():
    scenario = json.load(sys.stdin)
    results = {}

    def step(name, fn):
        try:
            results[name] = {"ok": True, "value": fn()}
        except Exception:  # every failure is data for the test
            results[name] = {"ok": False, "error": traceback.format_exc()}

    collection = Collection(
        scenario["collection_url"], user=scenario["user"], password=scenario["password"]
    )
    sink = stix2.TAXIICollectionSink(collection)
    source = stix2.TAXIICollectionSource(collection)

    indicator = stix2.v21.Indicator(**scenario["indicator"])
    malware = [stix2.v21.Malware(**m) for m in scenario["malware"]]

    def add_object():
        # One python STIX object: the sink sends it as a one-object bundle.
        sink.add(indicator)
        return True

    def add_bundle():
        sink.add(stix2.v21.Bundle(*malware))
        return True

    def get_back():
        got = source.get(indicator.id)
        return json.loads(got.serialize()) if got is not None else None

    def query_back():
        found = source.query([stix2.Filter("type", "=", "malware")])
        return sorted(m.id for m in found)

    step("add_object", add_object)
    step("add_bundle", add_bundle)
    step("get_back", get_back)
    step("query_back", query_back)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
