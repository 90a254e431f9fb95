"""The public notice board (公示栏): the bureau's notices on the web, their archive and feed, and the public's
comments and hearing requests. Served by the bot process where PUBLIC_PORT is set, and in the sandbox at /notices."""
