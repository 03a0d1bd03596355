"""The metaverse room on the relay (CONTRACT §9, docs/room-protocol-notes.md).

state.py holds one room as this relay knows it (who is where, occupied booths, muted stamps);
rooms.py keeps the rooms, fans their changes out through the broker and sends one `moves` frame
per tick; handlers.py answers the room frames (move, emote, ask, enter, exit, mute).
Positions live only in memory: nothing here writes them anywhere.
"""
