"""Reads every Parquet table of a cohesion result with pyarrow (an independent reader) and
checks it against the CSV table beside it: the same column names, the same number of rows,
and in every cell the same value (a whole number, a real number parsed from the CSV's text,
a word, true/false, or null for an empty cell), with the column types the run documents.
Also checks the file metadata: the manifest (as JSON) and the scenario's text.

usage: python3 parquet_check.py RESULT_DIR SCENARIO_FILE
"""

import csv
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

TABLES = ["trials", "summary", "timeseries", "comparison", "injects", "policies"]


def check(d, scenario_text):
    manifest = json.load(open(f"{d}/manifest.json"))
    for name in TABLES:
        table = pq.read_table(f"{d}/{name}.parquet")
        with open(f"{d}/{name}.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        assert table.column_names == header, (name, table.column_names, header)
        assert table.num_rows == len(body), (name, table.num_rows, len(body))
        cols = table.to_pydict()
        for j, col in enumerate(header):
            typ = table.schema.field(col).type
            for i, row in enumerate(body):
                cell, v = row[j], cols[col][i]
                where = f"{name}.parquet row {i + 2} column {col}"
                if cell == "":
                    assert v is None, (where, v)
                elif pa.types.is_int64(typ):
                    assert v == int(cell), (where, v, cell)
                elif pa.types.is_float64(typ):
                    assert v == float(cell), (where, v, cell)
                elif pa.types.is_boolean(typ):
                    assert v == (cell == "true"), (where, v, cell)
                elif pa.types.is_string(typ):
                    assert v == cell, (where, v, cell)
                else:
                    raise AssertionError(f"{where}: unexpected type {typ}")
        meta = table.schema.metadata
        m = json.loads(meta[b"cohesion.manifest"])
        assert m["seed"] == manifest["seed"] and m["trials"] == manifest["trials"], name
        assert meta[b"cohesion.scenario"].decode() == scenario_text, name
    # Types a user relies on.
    t = pq.read_table(f"{d}/trials.parquet").schema
    assert pa.types.is_int64(t.field("trial").type)
    assert pa.types.is_string(t.field("option").type)
    assert pa.types.is_float64(t.field("cohesion_final").type)
    assert pa.types.is_int64(t.field("fracture").type)
    assert pa.types.is_boolean(pq.read_table(f"{d}/policies.parquet").schema.field("baseline").type)
    print(f"{len(TABLES)} tables equal to their CSV")


if __name__ == "__main__":
    check(sys.argv[1], open(sys.argv[2], encoding="utf-8").read())
