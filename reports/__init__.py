"""What the daily summary and the weekly bulletin say, and their charts: rendering shared by the jobs that send them
and the commands that show them now. Below both ``handlers/`` and ``jobs/``; neither imports the other for it."""
