-- The server's state file (graphmem/server/state.py): keys, webhooks, the outbox, feedback, exports, intents.
CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY, digest TEXT UNIQUE NOT NULL, org TEXT NOT NULL, project TEXT NOT NULL,
    user_ids TEXT, created_at REAL NOT NULL, revoked_at REAL);
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT NOT NULL, project TEXT NOT NULL, name TEXT NOT NULL,
    url TEXT NOT NULL, event_types TEXT NOT NULL, secret TEXT NOT NULL, is_active INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, webhook_id INTEGER NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL, delivered_at REAL, failed_at REAL, last_error TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered_at, failed_at, next_at);
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY, memory_id TEXT NOT NULL, org TEXT NOT NULL, project TEXT NOT NULL,
    feedback TEXT, reason TEXT, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_memory ON feedback (memory_id);
CREATE TABLE IF NOT EXISTS exports (
    id TEXT PRIMARY KEY, org TEXT NOT NULL, project TEXT NOT NULL, status TEXT NOT NULL, request TEXT NOT NULL,
    result TEXT, error TEXT, created_at REAL NOT NULL);
-- A change to the store about to be made (server/intents.py): deleted with its outbox rows, in one commit.
CREATE TABLE IF NOT EXISTS intents (
    id TEXT PRIMARY KEY, org TEXT NOT NULL, project TEXT NOT NULL, change TEXT NOT NULL, body TEXT NOT NULL,
    owner TEXT NOT NULL, started_at REAL NOT NULL);
