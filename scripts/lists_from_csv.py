"""Generate the list files under src/reec/regime/data/lists/ from a lists.csv compilation.

Run once when lists.csv changes, then review the diff: the YAML is the source of truth, this
script only saves typing. One file per listing announcement; the dated status intervals
(suspensions, stops) of each announcement are written from `STATUS` below, which transcribes
the compilation's notes ("What the Nov 2025 suspensions are") with their sources.

    .venv/bin/python scripts/lists_from_csv.py path/to/lists.csv
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "src" / "reec" / "regime" / "data" / "lists"

COUNTRY = {
    "US": "US", "Japan": "JP", "Taiwan": "TW", "Belgium": "BE", "Canada": "CA",
    "Czech Republic": "CZ", "France": "FR", "Germany": "DE", "India": "IN", "Poland": "PL",
    "South Korea": "KR", "UK": "GB", "Italy": "IT", "Netherlands": "NL", "Bulgaria": "BG",
    "Lithuania": "LT", "Slovakia": "SK", "Spain": "ES",
}  # fmt: skip

GENEVA = "https://www.shine.cn/news/nation/2505153828/"
STOCKHOLM = "https://www.ettoday.net/news/20250812/3013384.htm"
KL = "https://news.livedoor.com/article/detail/29929610/"
KL_NOTE = "MOFCOM gndt/202511/1186 and 1187 (Kuala Lumpur consensus)"

STATUS: dict[str, list[dict[str, Any]]] = {
    "MOFCOM Announcement 2025 No. 13": [
        {"state": "stopped", "from": "2025-11-10", "by": KL_NOTE, "source": KL,
         "wording": "measures stopped (停止) from 2025-11-10"},
    ],
    "MOFCOM Announcement 2025 No. 21": [
        {"state": "suspended", "from": "2025-05-14", "period": "90 days", "source": GENEVA,
         "by": "MOFCOM, 14 May 2025 (Geneva talks)",
         "wording": "measures suspended for 90 days from 2025-05-14"},
        {"state": "suspended", "from": "2025-08-12", "period": "90 days", "source": STOCKHOLM,
         "by": "MOFCOM, 12 Aug 2025 (Stockholm talks)",
         "wording": "suspension extended 90 days from 2025-08-12"},
        {"state": "suspended", "from": "2025-11-10", "period": "1 year", "source": KL,
         "by": KL_NOTE, "wording": "suspension continued for one year from 2025-11-10",
         "readings": {"arrangement-extended": "2027-01-10"}},
    ],
    "MOFCOM Announcement 2025 No. 22": [
        {"state": "suspended", "from": "2025-05-14", "period": "90 days", "source": GENEVA,
         "by": "MOFCOM, 14 May 2025 (Geneva talks)",
         "wording": "measures suspended for 90 days from 2025-05-14"},
        {"state": "stopped", "from": "2025-08-12", "source": STOCKHOLM,
         "by": "MOFCOM, 12 Aug 2025 (Stockholm talks)",
         "wording": "measures stopped (停止执行) from 2025-08-12"},
    ],
    "UEL Working Mechanism Announcement [2025] No. 5": [
        {"state": "stopped", "from": "2025-11-10", "by": KL_NOTE, "source": KL,
         "wording": "measures stopped (停止) from 2025-11-10"},
    ],
    "UEL Working Mechanism Announcement [2025] No. 7": [
        {"state": "suspended", "from": "2025-05-14", "period": "90 days", "source": GENEVA,
         "by": "UEL working mechanism, 14 May 2025 (Geneva talks)",
         "wording": "measures suspended for 90 days from 2025-05-14"},
        {"state": "suspended", "from": "2025-11-10", "period": "1 year", "source": KL,
         "by": KL_NOTE, "wording": "suspension continued for one year from 2025-11-10",
         "readings": {"arrangement-extended": "2027-01-10"}},
    ],
    "UEL Working Mechanism Announcement [2025] No. 8": [
        {"state": "suspended", "from": "2025-05-14", "period": "90 days", "source": GENEVA,
         "by": "UEL working mechanism, 14 May 2025 (Geneva talks)",
         "wording": "measures suspended for 90 days from 2025-05-14; later status not found"},
    ],
}  # fmt: skip

MEASURES = {
    "control_list": "Exports of dual-use items to the entity are prohibited; ongoing "
    "transactions must stop; exporters may apply in special circumstances "
    "(Dual-Use Items Regulations Arts. 28-30).",
    "watch_list": "No general licence or registration route: individual licence only, with a "
    "risk assessment and an undertaking; no review time limit (Dual-Use Items Regulations "
    "Art. 26).",
}
FILE_CONFIDENCE = {"high": "secondary", "medium": "secondary", "low": "inferred"}


def slug(announcement: str, list_name: str, day: str) -> str:
    short = {"control_list": "control", "watch_list": "watch", "unreliable_entity_list": "uel"}
    m = re.search(r"(\d{4})\]? No\. (\d+)", announcement)
    tail = f"{m.group(1)}-{int(m.group(2)):02d}" if m else day
    return f"{short[list_name]}-{tail}"


def split_name(name: str) -> tuple[str, list[str]]:
    m = re.fullmatch(r"(.+?)\s*\(([^)]+)\)", name.strip())
    if m is None:
        return name.strip(), []
    return m.group(1), [m.group(2)]


def country(raw: str) -> str | None:
    head = raw.split("(")[0].strip()
    return COUNTRY.get(head)


def main(csv_path: Path) -> None:
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    with csv_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            groups[(row["list"], row["announcement"])].append(row)
    OUT.mkdir(parents=True, exist_ok=True)
    for (list_name, announcement), rows in groups.items():
        day = rows[0]["date_added"]
        entries = []
        for r in rows:
            name, aliases = split_name(r["name_en"])
            entry: dict[str, Any] = {"name": name}
            if r["name_zh"]:
                entry["name_zh"] = r["name_zh"]
            if aliases:
                entry["aliases"] = aliases
            entry["country"] = country(r["country"])
            if entry["country"] is None or "(" in r["country"]:
                entry["country_note"] = r["country"]
            entry["confidence"] = r["confidence"]
            entry["source"] = r["source"]
            if r["date_added"] != day:
                entry["date_added"] = r["date_added"]
            if r["notes"]:
                entry["note"] = r["notes"]
            if list_name == "unreliable_entity_list" and r["notes"]:
                entry["measures"] = r["notes"]
            if r["date_removed_or_suspended"] and announcement not in STATUS:
                entry["note"] = f"{entry.get('note', '')} {r['date_removed_or_suspended']}".strip()
            entries.append(entry)
        doc: dict[str, Any] = {
            "list": list_name,
            "announcement": announcement,
            "date_added": day,
            "confidence": FILE_CONFIDENCE[min(r["confidence"] for r in rows)],
            "source": rows[0]["source"].split(" ; ")[0],
        }
        doc["measures"] = MEASURES.get(list_name, "Measures per the decision (see each entry).")
        doc["status"] = STATUS.get(announcement, [])
        doc["entries"] = entries
        path = OUT / f"{slug(announcement, list_name, day)}.yaml"
        header = (
            f"# {announcement}: {len(entries)} {list_name} entries. Generated by "
            "scripts/lists_from_csv.py from a lists.csv compilation (sources per entry), then "
            "reviewed: this file is the source of truth.\n"
        )
        body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(header + body, encoding="utf-8")
        print(path.name, len(entries))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
