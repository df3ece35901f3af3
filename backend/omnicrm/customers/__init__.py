"""Customers, their contacts and sites."""
