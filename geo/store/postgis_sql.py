"""SQL for the PostGIS backend: the schema as an ordered list of migrations, and its types.

This is the app's own equivalent of Alembic: :data:`MIGRATIONS` is an ordered tuple of steps,
each a tuple of statements; a ``schema_version`` table holds the number of the last step
applied. Opening a store applies the steps it lacks, in order, in one transaction; a store
whose version is newer than the last step here is refused (see
:meth:`geo.store.postgis.PostGISStore`). A change to the schema is a new step appended at the
end, never an edit of an old one.

Column types come from :mod:`geo.schema`: ``real`` is ``double precision``, ``integer``
``bigint``, a flag ``smallint`` (0/1, as the embedded store keeps them), a time
``timestamptz``, a night ``date``, and text ``text``. Records, services and police incidents
carry a ``seq`` (the order stored: each file's own order) and a point ``geom`` in EPSG:27700
made from easting/northing by the server (a generated column), with a GiST index; areas keep
their shapes in EPSG:4326, as the embedded store does, with a GiST index too.

Step 2 (:data:`_DEFENCE`) adds the second barrier behind the app's own checks: database roles
matching the app's (``atlas_coordinator``, ``atlas_police``, ``atlas_councillor``,
``atlas_admin``), an aggregate view ``ward_counts`` with small counts hidden by the server, and
row-level security, forced, on the records. Step 3 (:data:`_COUNCILS`) narrows it to a
council: users bound to councils, data-sharing agreements, and the policies that read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.schema import KEYS, TABLES

if TYPE_CHECKING:
    import psycopg

#: PostgreSQL type of each column type of :mod:`geo.schema`; text otherwise.
_SQL_TYPES: Final = {
    "real": "double precision",
    "integer": "bigint",
    "flag": "smallint",
    "timestamp": "timestamptz",
    "date": "date",
}

#: The key every write transaction takes with ``pg_advisory_xact_lock``: writers one at a time.
WRITE_LOCK: Final = 0x0A71A5


def _point_table(table: str) -> tuple[str, ...]:
    """A table of records, services or police incidents, its unique key and its GiST index."""
    key = KEYS[table]
    columns = ",\n    ".join(
        f"{c.name} {_SQL_TYPES.get(c.type, 'text')}" + (" NOT NULL" if c.name == key else "")
        for c in TABLES[table]
    )
    return (
        f"""CREATE TABLE {table} (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    {columns},
    geom geometry(Point, 27700) GENERATED ALWAYS AS
        (ST_SetSRID(ST_MakePoint(easting, northing), 27700)) STORED
)""",
        f"CREATE UNIQUE INDEX {table}_{key} ON {table} ({key})",
        f"CREATE INDEX {table}_geom ON {table} USING gist (geom)",
    )


_FIRST: Final[tuple[str, ...]] = (
    "CREATE EXTENSION IF NOT EXISTS postgis",
    "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
    "INSERT INTO meta VALUES ('store_id', gen_random_uuid()::text), ('data_version', '0'),"
    " ('data_token', md5(random()::text))",
    # the key that hashes person identifiers, in a table of its own (database roles that
    # read figures are never granted it)
    "CREATE TABLE secret (id smallint PRIMARY KEY CHECK (id = 1), key bytea NOT NULL)",
    """CREATE TABLE imports (
    seq bigint GENERATED ALWAYS AS IDENTITY, batch_id text PRIMARY KEY, kind text NOT NULL,
    source text NOT NULL, sha256 text NOT NULL, agency text, imported_at text NOT NULL,
    accounting text NOT NULL
)""",
    """CREATE TABLE areas (
    layer text NOT NULL, area_code text NOT NULL, area_name text, area_type text,
    parent_code text, population double precision, geometry geometry(Geometry, 4326) NOT NULL,
    batch_id text, PRIMARY KEY (layer, area_code)
)""",
    "CREATE INDEX areas_geometry ON areas USING gist (geometry)",
    """CREATE TABLE postcodes (
    postcode text PRIMARY KEY, easting double precision, northing double precision,
    lon double precision, lat double precision, precision_m double precision,
    has_position boolean NOT NULL, quality smallint, terminated text, ward text
)""",
    """CREATE TABLE link_decisions (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_a text NOT NULL, record_b text NOT NULL,
    action text NOT NULL CHECK (action IN ('unlink', 'relink')),
    decided_by text NOT NULL, decided_at text NOT NULL, reason text
)""",
    """CREATE TABLE activations (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_night text NOT NULL, last_night text NOT NULL, recorded_by text NOT NULL,
    recorded_at text NOT NULL, note text, CHECK (first_night <= last_night)
)""",
    """CREATE TABLE safeguarding_closures (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text NOT NULL, closed_by text NOT NULL, closed_at text NOT NULL, reason text NOT NULL
)""",
    """CREATE TABLE users (
    email text PRIMARY KEY, role text NOT NULL, agency text, added_by text NOT NULL,
    added_at text NOT NULL
)""",
    """CREATE TABLE settings (
    name text PRIMARY KEY, value text NOT NULL, changed_by text NOT NULL,
    changed_at text NOT NULL, reason text
)""",
    """CREATE TABLE audit (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at text NOT NULL,
    "user" text NOT NULL, role text, action text NOT NULL, detail text NOT NULL
)""",
    # the audit log is append-only: these refuse any change to a row, whoever asks
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$""",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
    " FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    """CREATE TABLE lookups (
    kind text PRIMARY KEY, name text NOT NULL, entries bigint NOT NULL, data bytea,
    batch_id text NOT NULL
)""",
    *_point_table("records"),
    *_point_table("services"),
    *_point_table("police"),
)

#: The database's own group roles, one per role of the app (:data:`geo.privacy.roles.ROLES`).
DATABASE_ROLES: Final = {
    "coordinator": "atlas_coordinator",
    "police": "atlas_police",
    "councillor": "atlas_councillor",
    "admin": "atlas_admin",
}
#: The largest count the aggregate views hide (shown as NULL): 1 to 4, as the app's default.
VIEW_SMALL_COUNT: Final = 4

_ROLE_NAMES: Final = ", ".join(f"'{name}'" for name in DATABASE_ROLES.values())

#: Step 2, defence in depth (issue 16 section 1): database roles matching the app's, aggregate
#: views with small counts hidden by the server, and row-level security on the records.
#:
#: The roles are NOLOGIN groups with fixed names (``atlas_coordinator``, ``atlas_police``,
#: ``atlas_councillor``, ``atlas_admin``). Roles belong to the whole cluster, so a second
#: database migrating in the same cluster finds them made and uses them; what each may read is
#: granted on each database's own tables and views, so the grants are per database. Fixed
#: names (rather than a prefix per database) keep the deployer's SQL and the policies the same
#: everywhere; where several databases share a cluster, which of them a login reaches is
#: decided by CONNECT (``REVOKE CONNECT ON DATABASE atlas FROM PUBLIC; GRANT CONNECT ON
#: DATABASE atlas TO alice;``). A role that exists already is used as it is (made by a DBA who
#: keeps CREATEROLE from the app's login, or by another database's migration), unless it is a
#: superuser, bypasses row-level security or reads all data: those would void every barrier
#: here, so the migration refuses them. A login is made and given its role by the deployer:
#:
#:     CREATE ROLE alice LOGIN PASSWORD '...'; GRANT atlas_councillor TO alice;
#:
#: - ``atlas_coordinator`` reads the records (through the policy below), services, police
#:   incidents, areas, postcodes, imports and the registers coordinators use, and the views;
#:   never the secret key, users, settings or the audit log.
#: - ``atlas_police`` and ``atlas_councillor`` read only the aggregate view ``ward_counts``.
#: - ``atlas_admin`` reads users, settings, imports and the audit log. No role may write:
#:   changes go through the app, which audits each one in the same transaction.
#:
#: ``ward_counts`` is the second barrier, not the app's figures engine: per ward and ISO week
#: (dated by its Monday; a night by its evening), demand records (visits left out) and the
#: people they counted, each NULL from 1 to :data:`VIEW_SMALL_COUNT`. It gives no totals, so
#: no hidden cell can be worked out by subtraction, and it is a ``security_barrier`` view, so a
#: reader's own function in a WHERE clause never sees the rows behind a count.
#:
#: Row-level security is on and forced on ``records``: a role that is granted the table but
#: named in no policy reads nothing. ``atlas_coordinator`` reads every row (issue 16 section 2
#: narrows this by council). Forcing it binds the tables' owner too (a superuser is never
#: bound), so the role that runs this step, which owns the tables and is the app's own login,
#: keeps every row through ``records_store``; the view reads as that owner.
_DEFENCE: Final[tuple[str, ...]] = (
    f"""DO $$
DECLARE
    wanted text;
    existing record;
BEGIN
    FOREACH wanted IN ARRAY ARRAY[{_ROLE_NAMES}] LOOP
        SELECT rolsuper, rolbypassrls INTO existing FROM pg_roles WHERE rolname = wanted;
        IF NOT FOUND THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', wanted);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database's migration made it meanwhile
            END;
        ELSIF existing.rolsuper OR existing.rolbypassrls
                OR pg_has_role(wanted, 'pg_read_all_data', 'MEMBER') THEN
            RAISE EXCEPTION 'the database role % exists already as a superuser, with BYPASSRLS'
                ' or reading all data, which would let its members past every barrier; remove'
                ' that (ALTER ROLE % NOSUPERUSER NOBYPASSRLS; REVOKE pg_read_all_data FROM %)'
                ' and open the store again', wanted, wanted, wanted;
        END IF;
    END LOOP;
END $$""",
    f"""CREATE VIEW ward_counts WITH (security_barrier = true) AS
SELECT records.area_code AS ward_code, areas.area_name AS ward_name,
    date_trunc('week', records.night::timestamp)::date AS week_starting,
    CASE WHEN count(*) > {VIEW_SMALL_COUNT} THEN count(*) END AS records,
    CASE WHEN sum(records.people) > {VIEW_SMALL_COUNT} THEN sum(records.people)::bigint END
        AS people
FROM records
LEFT JOIN areas ON areas.layer = 'ward' AND areas.area_code = records.area_code
WHERE records.area_code IS NOT NULL AND records.night IS NOT NULL
    AND records.kind IS DISTINCT FROM 'visit'
GROUP BY records.area_code, areas.area_name, date_trunc('week', records.night::timestamp)""",
    "GRANT SELECT ON records, services, police, areas, postcodes, imports, link_decisions,"
    " activations, safeguarding_closures, ward_counts TO atlas_coordinator",
    "GRANT SELECT ON ward_counts TO atlas_police, atlas_councillor",
    "GRANT SELECT ON users, settings, imports, audit TO atlas_admin",
    "ALTER TABLE records ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE records FORCE ROW LEVEL SECURITY",
    "CREATE POLICY records_store ON records TO CURRENT_USER USING (true) WITH CHECK (true)",
    "CREATE POLICY records_coordinator ON records FOR SELECT TO atlas_coordinator USING (true)",
)

#: Step 3, a partnership of councils (issue 16 section 2): each user's council, data-sharing
#: agreements between councils, and row-level security narrowed to a council.
#:
#: A record's council is that of the ward it falls in (the ward's ``parent_code``); records
#: outside every ward belong to none. ``atlas_council_wards(code)`` gives the wards a council
#: reads: its own and those of every council sharing with it under an agreement in force.
#:
#: - The app's own login (``records_store``) reads every row unless its transaction sets
#:   ``atlas.council`` (``SET LOCAL``, as the store does whenever it reads for a user bound to
#:   a council); then only that council's wards and those shared with it. Imports, wards
#:   replaced and the admin's work set nothing, and see every row.
#: - A direct login in ``atlas_coordinator`` is mapped to its council by a row of
#:   ``council_logins`` (``INSERT INTO council_logins VALUES ('alice', 'E06000043')``, made by
#:   the deployer with the login), and reads that council's wards and those shared with it.
#:   A login with no row there reads every row, as before: a single-council deployment.
#:
#: Both functions are ``SECURITY DEFINER`` (they read ``sharing`` and ``council_logins``,
#: which the coordinators are never granted) and give ward codes only; ``session_user`` is the
#: login, whatever role it has SET. Each is wrapped in a sub-select in the policies, so it is
#: worked out once per query, not once per record.
_COUNCILS: Final[tuple[str, ...]] = (
    "ALTER TABLE users ADD COLUMN council text",
    """CREATE TABLE sharing (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_council text NOT NULL, to_council text NOT NULL, by text NOT NULL,
    reason text NOT NULL, at text NOT NULL, ended_at text, ended_by text,
    CHECK (from_council <> to_council)
)""",
    "CREATE UNIQUE INDEX sharing_in_force ON sharing (from_council, to_council)"
    " WHERE ended_at IS NULL",
    "CREATE TABLE council_logins (login name PRIMARY KEY, council text NOT NULL)",
    """CREATE FUNCTION atlas_council_wards(wanted text) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
SELECT area_code FROM areas WHERE layer = 'ward' AND parent_code IN (
    SELECT wanted
    UNION SELECT from_council FROM sharing WHERE to_council = wanted AND ended_at IS NULL
)
$$""",
    """CREATE FUNCTION atlas_login_council() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
SELECT council FROM council_logins WHERE login = session_user
$$""",
    """ALTER POLICY records_store ON records USING (
    (SELECT coalesce(current_setting('atlas.council', true), '') = '')
    OR area_code IN (SELECT atlas_council_wards(current_setting('atlas.council', true)))
)""",
    """ALTER POLICY records_coordinator ON records USING (
    (SELECT atlas_login_council() IS NULL)
    OR area_code IN (SELECT atlas_council_wards(atlas_login_council()))
)""",
    "GRANT SELECT ON sharing, council_logins TO atlas_admin",
)

#: The schema, step by step: step ``n`` (from 1) is ``MIGRATIONS[n - 1]``.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (_FIRST, _DEFENCE, _COUNCILS)
#: The schema version this code writes: the number of the last step.
SCHEMA_VERSION: Final = len(MIGRATIONS)


def copy_rows(db: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    """Add ``frame``'s rows to ``table`` (its columns by name) with one COPY, in order.

    PostgreSQL refuses COPY into a table whose row-level security binds the writer (the
    records, for a tables' owner that is no superuser: see :data:`_DEFENCE`); there the rows
    are copied into a temporary table first and inserted from it in the same order, so the
    policies are checked as for any INSERT.
    """
    if frame.empty:
        return
    columns = ", ".join(frame.columns)
    (guarded,) = db.execute("SELECT row_security_active(%s::regclass)", (table,)).fetchone()
    target = "staged" if guarded else table
    if guarded:
        db.execute(
            f"CREATE TEMP TABLE staged ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        db.execute("ALTER TABLE staged ADD COLUMN staged_seq bigint GENERATED ALWAYS AS IDENTITY")
    cells = [values(frame[name]) for name in frame.columns]
    with db.cursor().copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
        for row in zip(*cells, strict=True):
            copy.write_row(row)
    if guarded:
        db.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM staged ORDER BY staged_seq"
        )
        db.execute("DROP TABLE staged")


def values(column: pd.Series) -> list[object]:
    """A column as the Python values COPY writes: None for missing, times as UTC text to
    the second (as the embedded store keeps them), nights as ISO dates, flags and other
    true/false values as 0/1 (which a boolean column reads too)."""
    blank = np.asarray(pd.isna(column))
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        codes, uniques = pd.factorize(column)  # NaT -> -1: the last slot (None)
        text = uniques.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S+00").to_numpy(dtype=object)
        return np.append(text, None)[codes].tolist()
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        days = np.datetime_as_string(column.to_numpy(dtype="datetime64[D]"), unit="D")
        out = days.astype(object)
    elif pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        out = column.to_numpy(dtype=np.int64, na_value=0).astype(object)
    elif pd.api.types.is_float_dtype(column.dtype):
        out = column.to_numpy(dtype=float, na_value=np.nan).astype(object)
    else:
        out = column.to_numpy(dtype=object).copy()
    out[blank] = None
    return out.tolist()
