"""Rule-data updates: verify a data folder, say what changed, and what that changes for the user.

`verify_folder` loads a folder as strictly as reec answers from it; `diff_folders` lists every
change between two folders in words; `impact` re-answers what the user holds (stored
determinations, open applications and licences, an order book, a screened customer file) under
new data and lists every answer that changes. The CLI (`reec data ...`) and other services call
these functions.
"""

from __future__ import annotations

from reec.updates.diff import Change, DataDiff, diff_data, diff_folders
from reec.updates.verify import Verified, verify_folder

__all__ = ["Change", "DataDiff", "Verified", "diff_data", "diff_folders", "verify_folder"]
