// confluence.js 3.2.0 (createV2Client, its `user` API) against roster's
// Cloud REST v2 user operations. 3.2.0 validates every answer with its zod
// schemas (loose objects; AUDIT_SCHEMAS=true reports unknown keys instead),
// and rejects with an ApiError carrying status and parsed body.
import assert from "node:assert/strict";
import { createV2Client } from "confluence.js";

const host = process.env.ROSTER_URL;
const token = process.env.ROSTER_TOKEN;
const confluence = createV2Client({ host, auth: { type: "basic", email: "admin@example.com", apiToken: token } });
const ok = (what) => console.log("ok:", what);
const accounts = ["compat-user-1", "compat-user-2", "compat-user-3"];

const found = await confluence.user.createBulkUserLookup({ body: { accountIds: [...accounts, "nobody", accounts[0]] } });
assert.deepEqual(found.results.map((u) => u.accountId), accounts);
const u = found.results[0];
assert.equal(u.email, "one@example.com");
assert.equal(u.timeZone, null);
assert.equal(u.personalSpaceId, null);
assert.equal(u.accountStatus, "active");
assert.deepEqual(Object.keys(u.profilePicture).sort(), ["isDefault", "path"]);
assert.equal(found._links.base, `${host}/wiki`);
assert.equal(found._links.next, undefined);
ok("user.createBulkUserLookup: the v2 user, in order, each once, no next link");

await assert.rejects(
  confluence.user.createBulkUserLookup({ body: { accountIds: Array.from({ length: 251 }, (_, i) => `id-${i}`) } }),
  (e) => e.status === 400 && e.body.errors[0].status === 400 && e.body.errors[0].code === "INVALID_REQUEST_PARAMETER",
);
ok("user.createBulkUserLookup: 251 ids are a 400 in the v2 envelope");

const invitee = `js-invitee-${Date.now()}@example.com`;
const body = { emails: ["two@example.com", invitee, "no-at-sign"] };
const before = await confluence.user.checkAccessByEmail({ body });
assert.deepEqual(before, { emailsWithoutAccess: [invitee], invalidEmails: ["no-at-sign"] });
ok("user.checkAccessByEmail");

const answer = await confluence.user.inviteByEmail({ body });
assert.equal(answer, undefined);
const after = await confluence.user.checkAccessByEmail({ body });
assert.deepEqual(after.emailsWithoutAccess, []);
await confluence.user.inviteByEmail({ body });
ok("user.inviteByEmail: the invitee may use the site; inviting again is harmless");

await assert.rejects(
  confluence.user.checkAccessByEmail({ body: { emails: [] } }),
  (e) => e.status === 400 && Array.isArray(e.body.errors),
);
ok("user.checkAccessByEmail: no addresses is a 400");
