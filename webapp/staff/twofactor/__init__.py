"""A second factor for staff sign-in: TOTP (an authenticator app) and one-time recovery codes.

codes.py (making and checking codes, the secret's encryption) and operations.py (what is stored)
import no Flask; pending.py, forms.py and views.py are the web layer.
"""
