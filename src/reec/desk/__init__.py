"""The compliance desk: workflows over the engine, kept in the licence book's database.

- `review`: the hit review queue and the remembered decisions (docs/desk.md, "Review").
- `check`: determinations and screenings made through the desk (review items, audit entries).
- `customers`: the customer master, its import (CSV/Excel with a column mapping), re-screening.
- `alerts`: the alerts inbox and its signed webhook.
- `documents`: the Compliance Notice and the licence application pack (PDF, DOCX).
- `auditview`: reading, filtering and exporting the audit log.
"""

from __future__ import annotations

import reec.desk.tables as tables  # noqa: F401 - registers the desk tables on the metadata
