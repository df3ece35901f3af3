"""Cross-cutting building blocks with no business rules: db, money, errors, auth, realtime."""
