"""What a pad needs to sync with a team hub: the protocol's models and version
(:mod:`~nhc_scale.sync.protocol`), the samples codec, the HTTP client (standard library only),
the outbox Protocol the pad's store implements, and the worker that runs it all in its own
thread. Nothing here imports the hub or a web framework: a pad installs none of the hub's
dependencies (docs/hub.md)."""
