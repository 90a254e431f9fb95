"""The chat front end: aiogram routers over the approval use cases (``handlers.dispatcher`` assembles them)."""
