"""What admins changed in the referral directory and the crisis contacts, on top of the profile: the history."""
