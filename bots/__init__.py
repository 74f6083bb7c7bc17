"""Adapters at the edge: the command line, the console, Telegram and Matrix channels."""
