"""Authentication and authorization: users, roles, permissions, tokens, 2FA, API keys."""
