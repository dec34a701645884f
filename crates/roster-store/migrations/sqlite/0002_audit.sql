-- roster schema, version 2: the audit log (SQLite dialect).
-- One row per change and per refused sign-in, written in the same
-- transaction as the change it records. Never holds a secret.
create table audit (
    id integer primary key,
    at_ms integer not null,
    actor text not null,
    actor_name text not null,
    source text not null,
    request_id text not null,
    action text not null,
    target_kind text not null,
    target text not null,
    target_name text not null,
    object text not null,
    outcome text not null,
    detail text not null
);

create index audit_by_time on audit(at_ms);
