"""The built-in room of a metaverse session (CONTRACT §9): its map, check-in intents, practice and figures."""
