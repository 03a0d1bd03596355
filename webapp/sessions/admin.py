"""Admin pages for sessions: plan the fiscal year, create, edit, cancel, assign promoters."""
from flask import Blueprint

bp = Blueprint("admin_sessions", __name__, url_prefix="/admin/sessions", template_folder="templates")
