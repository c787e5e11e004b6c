"""Drives a Tessera hub with the OASIS taxii2-client library and prints what it saw as JSON.

Used by test/interop/taxii2-client.test.ts. The scenario arrives as one JSON document on stdin:

    {
      "discovery_url": "http://127.0.0.1:PORT/taxii2/",
      "user": "...", "password": "...",
      "rw_collection": "<id>", "ro_collection": "<id>",
      "objects": [<STIX objects to add to the read-write collection>],
      "new_version": <a newer version of one of them>,
      "type_filter": "indicator",
      "per_request": 7
    }

Every step runs even when an earlier one failed; each is reported as {"ok": true, "value": ...}
or {"ok": false, "error": {"type", "message", "http_status"?, "content_type"?, "body"?}} so the
test can name exactly which interaction with the client broke. The hub is only ever reached on
the URL given (a loopback address chosen by the test).
"""

import json
import sys
import traceback

import requests
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Server, as_pages


def describe_error(exc):
    err = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, TAXIIServiceException):
        err["taxii2client_exception"] = True
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.exceptions.HTTPError) and response is not None:
        err["http_status"] = response.status_code
        err["content_type"] = response.headers.get("Content-Type")
        try:
            err["body"] = response.json()
        except ValueError:
            err["body"] = response.text
    if not isinstance(exc, (TAXIIServiceException, requests.exceptions.RequestException)):
        err["traceback"] = traceback.format_exc()
    return err


def main():
    scenario = json.load(sys.stdin)
    results = {}
    ctx = {}

    def step(name, fn):
        try:
            results[name] = {"ok": True, "value": fn()}
        except Exception as exc:  # every failure is data for the test
            results[name] = {"ok": False, "error": describe_error(exc)}

    user = scenario["user"]
    password = scenario["password"]
    per_request = scenario["per_request"]

    def discovery():
        server = Server(scenario["discovery_url"], user=user, password=password)
        ctx["server"] = server
        return {
            "title": server.title,
            "description": server.description,
            "api_roots": [root.url for root in server.api_roots],
            "default": server.default.url if server.default is not None else None,
        }

    def api_root():
        server = ctx["server"]
        root = server.default or server.api_roots[0]
        ctx["root"] = root
        return {
            "url": root.url,
            "title": root.title,
            "versions": root.versions,
            "max_content_length": root.max_content_length,
        }

    def collections():
        root = ctx["root"]
        by_id = {c.id: c for c in root.collections}
        ctx["rw"] = by_id.get(scenario["rw_collection"])
        ctx["ro"] = by_id.get(scenario["ro_collection"])
        return [
            {
                "id": c.id,
                "title": c.title,
                "url": c.url,
                "can_read": c.can_read,
                "can_write": c.can_write,
                "media_types": c.media_types,
            }
            for c in root.collections
        ]

    def collection_refresh():
        # Get a Collection (one resource), through the client's own validation.
        rw = ctx["rw"]
        rw.refresh()
        return {"id": rw.id, "can_read": rw.can_read, "can_write": rw.can_write}

    def status_fields(status):
        return {
            "id": status.id,
            "status": status.status,
            "request_timestamp": status.request_timestamp,
            "total_count": status.total_count,
            "success_count": status.success_count,
            "failure_count": status.failure_count,
            "pending_count": status.pending_count,
            "successes": status.successes,
            "failures": status.failures,
            "url": status.url,
        }

    def add_objects():
        envelope = {"objects": scenario["objects"]}
        status = ctx["rw"].add_objects(envelope, wait_for_completion=True, poll_interval=0.1, timeout=10)
        ctx["status_id"] = status.id
        return status_fields(status)

    def status_refresh():
        # The Status resource fetched again at the URL the client builds (../../status/<id>).
        status = ctx["root"].get_status(ctx["status_id"])
        status.refresh()
        return status_fields(status)

    def add_to_read_only():
        # The client refuses by itself when can_write is false; reported as an error.
        status = ctx["ro"].add_objects({"objects": scenario["objects"][:1]}, wait_for_completion=False)
        return status_fields(status)

    def read_only_objects():
        envelope = ctx["ro"].get_objects()
        return {"objects": [o["id"] for o in envelope.get("objects", [])], "more": envelope.get("more")}

    def walk(fn, **filters):
        pages = []
        for envelope in as_pages(fn, per_request=per_request, **filters):
            pages.append(
                {
                    "more": envelope.get("more", False),
                    "has_next": "next" in envelope,
                    "items": [
                        {"id": o["id"], "version": o.get("modified") or o.get("version")}
                        for o in envelope.get("objects", [])
                    ],
                }
            )
            if len(pages) > 1000:
                raise RuntimeError("as_pages did not stop after 1000 pages")
        return pages

    def pages_objects():
        return walk(ctx["rw"].get_objects)

    def pages_manifest():
        return walk(ctx["rw"].get_manifest)

    def pages_objects_filtered():
        # as_pages re-sends the original filter with every `next`.
        return walk(ctx["rw"].get_objects, type=scenario["type_filter"])

    target = scenario["objects"][0]["id"]

    def get_object():
        envelope = ctx["rw"].get_object(target)
        return envelope.get("objects", [])

    def add_new_version():
        status = ctx["rw"].add_objects({"objects": [scenario["new_version"]]}, poll_interval=0.1, timeout=10)
        return status_fields(status)

    def object_versions():
        return ctx["rw"].object_versions(target)

    def get_object_all_versions():
        envelope = ctx["rw"].get_object(target, version="all")
        return [o.get("modified") for o in envelope.get("objects", [])]

    def delete_object():
        ctx["rw"].delete_object(target)
        return True

    def get_deleted_object():
        return ctx["rw"].get_object(target)

    def wrong_password():
        server = Server(scenario["discovery_url"], user=user, password=password + "-wrong")
        return server.title

    step("discovery", discovery)
    step("api_root", api_root)
    step("collections", collections)
    step("collection_refresh", collection_refresh)
    step("add_objects", add_objects)
    step("status_refresh", status_refresh)
    step("add_to_read_only", add_to_read_only)
    step("read_only_objects", read_only_objects)
    step("pages_objects", pages_objects)
    step("pages_manifest", pages_manifest)
    step("pages_objects_filtered", pages_objects_filtered)
    step("get_object", get_object)
    step("add_new_version", add_new_version)
    step("object_versions", object_versions)
    step("get_object_all_versions", get_object_all_versions)
    step("delete_object", delete_object)
    step("get_deleted_object", get_deleted_object)
    step("wrong_password", wrong_password)

    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
