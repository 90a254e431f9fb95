"""Reading what people send, in child processes bounded in memory and time: a bad file costs a child, not the bot."""
