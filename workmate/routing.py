"""WebSocket routes of all apps (each app adds its own list here)."""

websocket_urlpatterns: list = []
