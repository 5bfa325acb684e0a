// The npm mem0ai MemoryClient against a graphmem server: add -> search -> getAll -> delete.
// Run by tests/server/test_node_client.py with GRAPHMEM_URL and GRAPHMEM_KEY set; prints one JSON line.
import assert from "node:assert/strict";
import { MemoryClient } from "mem0ai";

const client = new MemoryClient({ apiKey: process.env.GRAPHMEM_KEY, host: process.env.GRAPHMEM_URL });
const messages = [
  { role: "user", content: "I love pizza and I work at Google with Sarah" },
  { role: "assistant", content: "Noted!" },
];
const added = await client.add(messages, { userId: "alex" });
assert.ok(added.results.length >= 1, "add stored something");
const found = await client.search("pizza", { filters: { user_id: "alex" }, topK: 5 });
assert.match(found.results[0].memory, /pizza/);
const listed = await client.getAll({ filters: { user_id: "alex" }, page: 1, pageSize: 50 });
assert.equal(listed.count, added.results.length);
const deleted = await client.delete(added.results[0].id);
const after = await client.getAll({ filters: { user_id: "alex" } });
// The seed's webhook calls: createWebhook({ url, name, eventTypes }), getWebhooks, deleteWebhook.
const hook = await client.createWebhook({ url: "http://127.0.0.1:9/hook", name: "audit", eventTypes: ["memory.created"] });
const hooks = await client.getWebhooks();
await client.deleteWebhook({ webhookId: hook.webhookId });
console.log(JSON.stringify({ hookNames: hooks.map((h) => h.name), hookEvents: hook.eventTypes,
  hooksLeft: (await client.getWebhooks()).length, organizationId: client.organizationId, projectId: client.projectId,
  added: added.results.length, found: found.results.map((r) => r.memory), relations: found.relations,
  listed: listed.count, deleted: deleted.message, after: after.count }));
