"""The approval rules: pure Python, no chat framework, no database, no environment."""
