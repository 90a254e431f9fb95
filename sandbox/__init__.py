"""Try Green Channel without Telegram: the local Bot API server, the real bot against it, and a web chat.

``python bot.py --sandbox`` (or ``make run`` with no BOT_TOKEN) starts it on http://127.0.0.1:8080.
"""
