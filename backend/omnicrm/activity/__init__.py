"""The activity (audit) log: an append-only record of who changed what, written automatically."""
