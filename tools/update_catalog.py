#!/usr/bin/env python3
"""Rewrites the size and sha256 of every shipped package in models/catalog.json from the files themselves.

Run after changing a package under models/ (a retrained model, an edited config.json):
  /usr/bin/python3 tools/update_catalog.py
(tests/Cli/ModelCatalogTests.cs fails, naming the entry, while the catalog is out of date).

A folder's digest is the SHA-256 of its sha256sum listing ("<hex>  <relative path>\\n" per file, in byte
order of path), as ai/Install/Digest.cs computes it; an archive's is that of its bytes.
"""
import argparse
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOG = os.path.join(ROOT, "models", "catalog.json")


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_size_and_digest(path):
    if os.path.isfile(path):
        return os.path.getsize(path), file_sha256(path)
    files = sorted((os.path.relpath(os.path.join(d, n), path).replace(os.sep, "/")
                    for d, _, names in os.walk(path) for n in names), key=lambda p: p.encode())
    listing = "".join(f"{file_sha256(os.path.join(path, f))}  {f}\n" for f in files)
    return sum(os.path.getsize(os.path.join(path, f)) for f in files), hashlib.sha256(listing.encode()).hexdigest()


def main():
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    with open(CATALOG) as f:
        catalog = json.load(f)
    stale = []
    for entry in catalog["models"]:
        if "path" not in entry:
            continue
        size, sha = package_size_and_digest(os.path.join(os.path.dirname(CATALOG), entry["path"]))
        if (entry.get("size"), entry.get("sha256")) != (size, sha):
            stale.append(entry["id"])
            entry["size"], entry["sha256"] = size, sha
    tmp = CATALOG + ".tmp"
    with open(tmp, "w") as f:
        json.dump(catalog, f, indent=2)
        f.write("\n")
    os.replace(tmp, CATALOG)
    print(f"updated {len(stale)} entr{'y' if len(stale) == 1 else 'ies'}: {', '.join(stale) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
