"""The HTTP baseline: a bare Flask app, served by the same gunicorn set-up as the real one.

- `GET /json`: a small JSON document, no database (what Flask and gunicorn cost by themselves);
- `POST /insert`: one row inserted with bare SQLAlchemy Core and committed, on the same database
  as the app (BENCH_BARE_DATABASE_URL), the least a committed write can cost there.

The table is made by `create_table()` from the benchmark before gunicorn starts, so two workers
never race to create it.
"""
from __future__ import annotations

import datetime as dt
import os

from flask import Flask, jsonify, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, insert

metadata = MetaData()
rows = Table("bench_bare_rows", metadata,
             Column("id", Integer, primary_key=True),
             Column("created_at", DateTime, nullable=False),
             Column("payload", String(200), nullable=False))


def engine_for(url: str):
    # A busy timeout on SQLite so two workers' commits queue instead of failing; nothing else.
    return create_engine(url, connect_args={"timeout": 30}) if url.startswith("sqlite") else create_engine(url)


def create_table(url: str) -> None:
    engine = engine_for(url)
    metadata.create_all(engine)
    engine.dispose()


app = Flask(__name__)
_url = os.environ.get("BENCH_BARE_DATABASE_URL")
engine = engine_for(_url) if _url else None


@app.get("/json")
def small_json():
    return jsonify({"ok": True, "items": [{"id": n, "name": f"item {n}"} for n in range(3)]})


@app.post("/insert")
def insert_row():
    payload = (request.get_json(silent=True) or {}).get("payload", "")
    with engine.begin() as conn:
        new_id = conn.execute(insert(rows).values(created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                                                  payload=str(payload)[:200]).returning(rows.c.id)).scalar_one()
    return jsonify({"id": new_id}), 201
