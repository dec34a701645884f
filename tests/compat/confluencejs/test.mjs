// confluence.js 2.1.0 (what `npm install confluence.js` resolves on Node 20)
// against roster's Cloud REST v1. The library resolves with the body and
// rejects with the error body only, so errors are recognised by statusCode.
import assert from "node:assert/strict";
import { ConfluenceClient } from "confluence.js";

const host = process.env.ROSTER_URL;
const token = process.env.ROSTER_TOKEN;
const client = new ConfluenceClient({ host, authentication: { basic: { email: "admin@example.com", apiToken: token } } });
const ok = (what) => console.log("ok:", what);

const groups = await client.group.getGroups({ start: 0, limit: 50 });
assert.ok(groups.results.some((g) => g.name === "confluence-users"));
ok("group.getGroups");

const name = `js team ${Date.now()}`;
const created = await client.group.createGroup({ name });
assert.equal(created.name, name);
ok("group.createGroup");

const accounts = ["compat-user-1", "compat-user-2", "compat-user-3"];
for (const accountId of accounts) {
  await client.group.addUserToGroupByGroupId({ groupId: created.id, accountId });
}
ok("group.addUserToGroupByGroupId x3");

const page = await client.group.getGroupMembersByGroupId({ groupId: created.id, start: 0, limit: 2 });
assert.equal(page.results.length, 2);
assert.ok(page._links.next);
ok("group.getGroupMembersByGroupId pages");

const byName = await client.group.getMembersByQueryParam({ name, start: 0, limit: 10, shouldReturnTotalSize: true });
assert.equal(byName.totalSize, 3);
ok("group.getMembersByQueryParam with totalSize");

const memberships = await client.users.getGroupMembershipsForUser({ accountId: accounts[0] });
assert.ok(memberships.results.some((g) => g.name === name));
ok("users.getGroupMembershipsForUser");

const bulk = await client.users.getBulkUserLookup({ accountId: accounts.join(",") });
assert.deepEqual(bulk.results.map((u) => u.accountId), accounts);
for (const u of bulk.results) {
  for (const k of ["type", "accountType", "email", "publicName", "displayName", "profilePicture", "_expandable", "_links"]) {
    assert.ok(k in u, `bulk result carries ${k}`);
  }
}
ok("users.getBulkUserLookup with every required field");

const found = await client.search.searchUser({ cql: 'type=user and user.fullname ~ "Compat"' });
assert.equal(found.totalSize, 3);
assert.equal(typeof found.cqlQuery, "string");
ok("search.searchUser");

const picked = await client.group.searchGroups({ query: "js team" });
assert.ok(picked.results.some((g) => g.id === created.id));
ok("group.searchGroups");

await client.group.removeMemberFromGroupByGroupId({ groupId: created.id, accountId: accounts[0] });
const after = await client.users.getGroupMembershipsForUser({ accountId: accounts[0] });
assert.ok(!after.results.some((g) => g.name === name));
ok("group.removeMemberFromGroupByGroupId");

await client.group.removeGroupById({ id: created.id });
await assert.rejects(client.group.getGroupByGroupId({ id: created.id }), (body) => body.statusCode === 404);
ok("group.removeGroupById; a missing group rejects with a 404 body");
console.log("confluence.js 2.1.0: all checks passed");
