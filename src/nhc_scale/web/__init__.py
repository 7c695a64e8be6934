"""The HTTP face of the appliance: FastAPI app factory, one router per resource, the page."""
