"""The hub's API, one router per resource."""
