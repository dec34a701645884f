-- roster schema, version 4 (SQLite dialect): snapshots kept in the store,
-- so the seed state and named snapshots survive a restart and a CLI
-- `roster reset` can use them. The body is roster's snapshot file format
-- (versioned JSON), opaque to the store.
create table snapshots (
    id integer primary key autoincrement,
    name text unique,
    created_ms integer not null,
    users integer not null,
    groups integer not null,
    memberships integer not null,
    body blob not null
);
