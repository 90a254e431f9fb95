"""aiosqlite persistence: connections, migrations, repositories. SQL lives here and nowhere else."""
