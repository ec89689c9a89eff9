"""Signing in to Zoho: OAuth grants and refreshes, and access tokens kept between processes."""
