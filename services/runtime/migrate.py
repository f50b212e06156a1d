"""`python -m services.runtime.migrate <service>`: apply a service's
migrations to the database in KGO_DATABASE_URL (the k8s migrate Job runs this once per
deploy; locally `kgo migrate` does it for every service)."""

from __future__ import annotations

import sys

from services.runtime.db import migrate_sync, service_migrations
from services.runtime.settings import ServiceSettings


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m services.runtime.migrate <service>", file=sys.stderr)
        return 2
    applied = migrate_sync(ServiceSettings().database_url, service_migrations(argv[0]))
    print(f"{argv[0]}: applied {len(applied)} migration(s) {' '.join(applied)}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
