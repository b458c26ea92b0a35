"""The test PostgreSQL database, for the store fixtures of tests/desk and tests/licensing.

Its URL is read when a fixture runs, not when a conftest is imported: `tests/conftest.py`
points `REEC_TEST_POSTGRES_URL` at the test process's own database in `pytest_configure`, and a
conftest in a folder named on the command line (`pytest tests/desk -n 2`) is imported before
that; reading it at import, both workers wiped the one shared database under each other.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

AVAILABLE = bool(os.environ.get("REEC_TEST_POSTGRES_URL"))


def wiped_url() -> str:
    """The test process's PostgreSQL URL, its `public` schema dropped and made again."""
    url = str(os.environ["REEC_TEST_POSTGRES_URL"])
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url
