-- roster schema, version 5 (SQLite dialect): a user's time zone (an IANA
-- name such as Europe/Berlin; empty when unknown), which Cloud user
-- objects carry as `timeZone`.
alter table users add column time_zone text not null default '';
