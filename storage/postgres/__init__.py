"""PostgreSQL storage for several bot instances (asyncpg): the pool, the migration runner, the outbox with leased
claims, and the repositories (people, notes, the key-project list, runs and subscribers, denials, the approval
store with its audit log, clock stops and numbers, notices, papers, copies, checklists, chats, the key-project
service's records, pollutant quotas), held to the SQLite ones by tests/storage/contract/. Chosen by
``DATABASE_URL`` (``storage/open.py``, ``storage/postgres/repositories.py``)."""
