"""Bulk imports from CSV (the report's ManyRegister): one engine, streamed, chunked, resumable."""
