"""The console channel: chat with the bot in a terminal, or scripted through stdin."""
