"""The consultation-session scheduler web app. Importing the package stays Flask-free so the relay can share models."""


def create_app(test_config: dict | None = None):
    """Build the Flask app (see webapp.app)."""
    from webapp.app import create_app as build

    return build(test_config)
