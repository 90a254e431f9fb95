"""What a bureau's IT staff run: backups and restore, schema upgrades, the version, and the logs' request context."""
