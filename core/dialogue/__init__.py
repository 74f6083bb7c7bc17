"""The conversation layer: one member's message or button press in, replies out.

It is platform-free: the console, Telegram and Matrix adapters all call the same engine.
"""
