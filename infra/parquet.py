"""Parquet for ``lorekeeper export`` (infra/export.py): a chunk of the log
read straight into Arrow and written as one file per topic and day."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from psycopg import sql
from pyarrow import csv

from infra.fanout.messages import aggregate_of
from infra.history import History
from infra.selection import Selection, where


def read_chunk(history: History, selection: Selection) -> pa.Table:
    """A chunk of the log (positions ``(after, until]``) as an Arrow table."""
    assert isinstance(selection.until, int)  # a chunk ends at a position
    if history.stored_as_json:
        return _read_columns(history, selection.after, selection.until, selection)
    return _decoded_columns(history, [row for window in history.windows(selection) for row in window])


def rows_in(path: Path) -> int:
    return int(pq.ParquetFile(path).metadata.num_rows)


TIMESTAMP = r'"timestamp":"(?P<at>[^"]+)"'
COLUMNS = ("position", "topic", "aggregate_id", "aggregate_version", "data")


def _read_columns(history: History, after: int, upto: int, selection: Selection) -> pa.Table:
    """The chunk straight from PostgreSQL into Arrow: one ``COPY ... TO STDOUT``
    in CSV, parsed by Arrow's (multi-threaded, C++) CSV reader. No Python object
    per event: the stored JSON is the ``data`` column as it is. Written by hand
    (no library moves a query's result into Arrow without a Python row each)."""
    condition, params = where(after, upto, selection)
    query = sql.SQL(
        "COPY (SELECT notification_id, topic, originator_id, originator_version, convert_from(state, 'UTF8') "
        "FROM {} WHERE {} ORDER BY notification_id) TO STDOUT (FORMAT csv)"
    ).format(history.log.table, condition)
    buffer = io.BytesIO()
    with history.pool.connection() as conn, conn.cursor() as cursor, cursor.copy(query, params) as copy:
        read, write = copy.read, buffer.write
        while block := read():
            write(block)
    types = [pa.int64(), pa.string(), pa.string(), pa.int64(), pa.string()]
    if not buffer.tell():
        return pa.schema(list(zip(COLUMNS, types, strict=True))).empty_table()
    return csv.read_csv(
        pa.BufferReader(buffer.getbuffer()),
        read_options=csv.ReadOptions(column_names=list(COLUMNS)),
        convert_options=csv.ConvertOptions(column_types=dict(zip(COLUMNS, types, strict=True))),
    )


def _decoded_columns(history: History, rows: list[tuple[Any, ...]]) -> pa.Table:
    """The chunk from rows whose stored bytes are not plain JSON (a cipher, compression)."""
    positions, topics, ids, versions, states = zip(*rows, strict=True) if rows else ((),) * 5
    data = [orjson.dumps(history.decode(s)).decode() for s in states]
    columns = [pa.array(positions, pa.int64()), pa.array(topics, pa.string()), pa.array(ids, pa.string())]
    columns += [pa.array(versions, pa.int64()), pa.array(data, pa.string())]
    return pa.table(dict(zip(COLUMNS, columns, strict=True)))


def write_chunk(chunk: pa.Table, staging: Path, name: str) -> None:
    """One Parquet file per topic and day of the chunk, partitioned by Arrow;
    each event's timestamp is found in its JSON by Arrow's regex engine."""
    if chunk.num_rows == 0:
        return
    stamps = pc.struct_field(pc.extract_regex(chunk["data"], TIMESTAMP), [0])
    topic = chunk["topic"].combine_chunks()
    names = topic.unique()
    kinds = pa.array([aggregate_of(t) for t in names.to_pylist()], pa.string())
    table = pa.table(
        {
            "position": chunk["position"],
            "aggregate_id": chunk["aggregate_id"],
            "aggregate_type": pa.DictionaryArray.from_arrays(pc.index_in(topic, names), kinds),
            "aggregate_version": chunk["aggregate_version"],
            "recorded_at": stamps.cast(pa.timestamp("us", "UTC")),
            "data": chunk["data"],
            "topic": topic,
            "day": pc.utf8_slice_codeunits(stamps, 0, 10),
        }
    )
    ds.write_dataset(
        table,
        staging,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("topic", pa.string()), ("day", pa.string())]), flavor="hive"),
        basename_template=f"{name}-{{i}}.parquet",
        # zstd at level 1: half the time of its default level, files a few per cent larger;
        # dictionaries only where values repeat (an aggregate's id, its type).
        file_options=ds.ParquetFileFormat().make_write_options(
            compression="zstd", compression_level=1, use_dictionary=["aggregate_id", "aggregate_type"]
        ),
        existing_data_behavior="overwrite_or_ignore",
    )
