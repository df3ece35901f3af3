"""One scheduler for periodic work: domains declare jobs (registry.py), scheduler processes
fire them at their due times as Dramatiq messages (loop.py), workers run them (tasks.py), and
every run is recorded (models.py). Design: docs/scheduler.md."""
