"""The Telegram channel (python-telegram-bot 22): a thin adapter over the conversation engine."""
