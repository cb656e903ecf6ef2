"""The web gateway (FastAPI): chat forwarding, hotline lookup, policy search, knowledge base."""
