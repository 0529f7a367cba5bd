"""Services: the domain rules. No aiohttp or socketio imports here."""
