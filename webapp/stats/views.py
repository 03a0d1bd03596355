"""Fiscal-year figures for staff."""
from flask import Blueprint

bp = Blueprint("stats", __name__, template_folder="templates")
