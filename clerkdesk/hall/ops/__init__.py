"""What an operator runs beside the hall: backups and restores of the SQLite file, metrics."""
