-- roster schema, version 3 (PostgreSQL dialect): ids are never handed out
-- again. Nothing to rebuild here: identity columns draw from sequences,
-- which never go back (a rolled-back insert burns its number), and a
-- snapshot restore only ever moves them forward (replace.rs). This version
-- exists so both dialects keep the same numbering; it records the rule.
comment on column users.id is 'identity: never reused, even after the user is deleted';
comment on column groups.id is 'identity: never reused, even after the group is deleted';
comment on column tokens.id is 'identity: never reused';
