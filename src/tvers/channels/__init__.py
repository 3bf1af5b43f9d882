"""Channels (web, app, POS, marketplace, social, call centre, kiosk), API keys and roles."""
