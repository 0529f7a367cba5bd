"""Regenerate the initial migration from the models (only while nothing has been released).

Usage: python -m live.storage.migrations.regenerate
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from live.storage.migrate import MIGRATIONS, alembic_config


def main() -> None:
    versions = MIGRATIONS / "versions"
    for old in versions.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'empty.db'}"
        command.revision(alembic_config(url), message="initial", autogenerate=True, rev_id="0001")
    for new in versions.glob("0001_*.py"):
        new.rename(versions / "0001_initial.py")
    target = str(versions / "0001_initial.py")
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", "--exit-zero", target], check=False)
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", target], check=False)


if __name__ == "__main__":
    main()
