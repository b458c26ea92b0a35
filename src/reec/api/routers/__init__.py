"""One router per area of the API; `reec.api.app.create_app` mounts them."""
