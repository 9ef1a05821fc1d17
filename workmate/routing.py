"""WebSocket routes of all apps (each app adds its own list here)."""

from apps.chat.routing import websocket_urlpatterns as chat_websocket_urlpatterns

websocket_urlpatterns: list = [*chat_websocket_urlpatterns]
