"""Print, as one JSON line, the icons and version strings of Windows executables.

Run by the Windows CPython under Wine (pefile comes with PyInstaller there), for
tests/test_bundle_windows.py: ``python pe_resources.py A.exe B.exe``.
"""

import json
import ntpath
import sys

import pefile


def describe(path: str) -> dict:
    """Return the number of icon groups and the version strings of one executable."""
    pe = pefile.PE(path)
    icons = 0
    resources = pe.DIRECTORY_ENTRY_RESOURCE.entries if hasattr(pe, "DIRECTORY_ENTRY_RESOURCE") else []
    for entry in resources:
        if entry.id == pefile.RESOURCE_TYPE["RT_GROUP_ICON"]:
            icons += len(entry.directory.entries)
    version = {}
    for info in getattr(pe, "FileInfo", None) or []:
        for block in info:
            for table in getattr(block, "StringTable", []):
                version.update(
                    {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in table.entries.items()}
                )
    return {"icons": icons, "version": version}


if __name__ == "__main__":
    # ASCII JSON: the console code page of the Windows side may not have the Chinese strings.
    print(json.dumps({ntpath.basename(p): describe(p) for p in sys.argv[1:]}))
