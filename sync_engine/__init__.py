"""The product: connects a conversation-intelligence platform to Zoho CRM. Knows nothing of Streamlit."""
