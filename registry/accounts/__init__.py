"""Accounts: users, roles, scopes, API tokens, login."""
