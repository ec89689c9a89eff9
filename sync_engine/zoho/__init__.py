"""HTTP client for one Zoho CRM org connection."""
