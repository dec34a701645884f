-- roster schema, version 4 (PostgreSQL dialect): snapshots kept in the
-- store, so the seed state and named snapshots survive a restart and a CLI
-- `roster reset` can use them. The body is roster's snapshot file format
-- (versioned JSON), opaque to the store.
create table snapshots (
    id bigint generated always as identity primary key,
    name text unique,
    created_ms bigint not null,
    users bigint not null,
    groups bigint not null,
    memberships bigint not null,
    body bytea not null
);
