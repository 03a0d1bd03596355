"""The one form of the calendar settings page."""
from flask_wtf import FlaskForm


class FeedTokenForm(FlaskForm):
    """Issue or re-issue the personal feed URL; only the CSRF token is posted."""
