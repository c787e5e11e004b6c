"""Batch driver for the OASIS stix2-validator, used by test/stix/differential.test.ts.

Reads a JSON array of STIX objects on stdin and writes a JSON array of verdicts
({"ok": bool, "errors": [str]}) on stdout, one per object, at the MUST level
(the validator's default, non-strict options for STIX 2.1).
"""
import json
import sys

from stix2validator import ValidationOptions, validate_instance


def main():
    objects = json.load(sys.stdin)
    options = ValidationOptions(version="2.1")
    out = []
    for obj in objects:
        try:
            result = validate_instance(obj, options)
            out.append({"ok": bool(result.is_valid), "errors": [str(e) for e in result.errors]})
        except Exception as exc:  # the validator raises on some malformed input
            out.append({"ok": False, "errors": ["exception: %s" % exc]})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
