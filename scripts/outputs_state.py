"""What an output root holds, for the scripts that check it is never damaged (fault-inject,
red-team): published files by checksum, the history's rows per run, and `latest`."""
import hashlib
import json
import os
import sqlite3


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def published(root):
    """Every published run folder (not .partial-*) as {relative path: sha256}."""
    out = {}
    runs = os.path.join(root, "runs")
    if not os.path.isdir(runs) or os.path.islink(runs):
        return out
    for name in sorted(os.listdir(runs)):
        if name.startswith("."):
            continue
        base = os.path.join(runs, name)
        for dirpath, _, files in os.walk(base):
            for f in files:
                p = os.path.join(dirpath, f)
                out[os.path.relpath(p, root)] = sha(p)
    return out


def history(root):
    """The history's rows per run id, read through SQLite (bytes change with WAL checkpoints)."""
    path = os.path.join(root, "history.sqlite")
    if not os.path.exists(path):
        return {}
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RuntimeError("integrity_check failed")
        rows = {}
        for (run_id, pipeline, as_of, manifest) in con.execute("SELECT run_id, pipeline, as_of, manifest FROM runs"):
            prev = con.execute("SELECT measure, grouping, grp, numerator, denominator FROM prevalence WHERE run_id=? "
                               "ORDER BY 1,2,3", (run_id,)).fetchall()
            members = con.execute("SELECT cohort, patient_id FROM cohort_members WHERE run_id=? ORDER BY 1,2",
                                  (run_id,)).fetchall()
            rows[run_id] = hashlib.sha256(repr((pipeline, as_of, manifest, prev, members)).encode()).hexdigest()
        return rows
    finally:
        con.close()


def latest(root):
    try:
        with open(os.path.join(root, "latest")) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def snapshot(root):
    return published(root), history(root), latest(root)


def demo_pipeline(repo, **settings):
    """pipelines/demo.json as a dict whose paths still name the repository's files when the copy
    is written elsewhere (relative paths resolve against the pipeline's own folder), with
    `settings` applied on top."""
    with open(os.path.join(repo, "pipelines", "demo.json")) as f:
        p = json.load(f)
    folder = os.path.join(repo, "pipelines")
    for key in ("extract", "reference", "rules", "labels", "output_root"):
        if isinstance(p.get(key), str) and not os.path.isabs(p[key]):
            p[key] = os.path.normpath(os.path.join(folder, p[key]))
    p.update(settings)
    return p
