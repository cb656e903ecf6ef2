"""The web gateway (FastAPI) in front of the Rasa workers.

Chat forwarding, the hotline lookup, policy search, the knowledge base, the FAQ desk and the
pages.
"""
