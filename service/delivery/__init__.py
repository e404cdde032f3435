"""Delivery through a transactional outbox: emails, webhooks and video-provider side effects."""
