import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { AgentEvent, AgentEventBody } from '@harbour/shared';

interface Row {
  seq: number;
  id: string;
  occurred_at: string;
  body: string;
  attempts: number;
}

/**
 * The agent's durable outbox: every event is committed to disk before it is sent and
 * deleted only after the server acknowledges it. With the server storing each event id
 * once, that gives at-least-once delivery and exactly-once storage across a crash of
 * either side. Events the server refuses as invalid move to `rejected` (kept, not retried)
 * so one bad event can never block the rest.
 */
export class Outbox {
  private readonly db: SQLite.Database;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.db = new SQLite(path.join(dataDir, 'outbox.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // FULL: an event is on disk before enqueue() returns, even across a power cut.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      create table if not exists outbox (
        seq integer primary key autoincrement,
        id text not null unique,
        occurred_at text not null,
        body text not null,
        attempts integer not null default 0
      );
      create table if not exists state (
        key text primary key,
        value text not null
      );
      create table if not exists rejected (
        id text primary key,
        occurred_at text not null,
        body text not null,
        reason text not null,
        rejected_at text not null
      );
    `);
  }

  enqueue(body: AgentEventBody, occurredAt = new Date()): AgentEvent {
    const event: AgentEvent = { id: randomUUID(), occurredAt: occurredAt.toISOString(), body };
    this.db
      .prepare('insert into outbox (id, occurred_at, body) values (?, ?, ?)')
      .run(event.id, event.occurredAt, JSON.stringify(body));
    return event;
  }

  /**
   * Commits an event made elsewhere (a session helper) under its own id: sending the same
   * event again is harmless. Returns false if that id was already queued or delivered
   * recently (still in the outbox).
   */
  enqueueEvent(event: AgentEvent): boolean {
    const result = this.db
      .prepare('insert or ignore into outbox (id, occurred_at, body) values (?, ?, ?)')
      .run(event.id, event.occurredAt, JSON.stringify(event.body));
    return result.changes > 0;
  }

  /** The oldest events not yet acknowledged, in the order they were enqueued. */
  peek(limit = 1): AgentEvent[] {
    const rows = this.db.prepare('select * from outbox order by seq limit ?').all(limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at,
      body: JSON.parse(r.body) as AgentEventBody,
    }));
  }

  /** Rewrites an event's body in place (same id, same place in the queue). */
  replaceBody(id: string, body: AgentEventBody): void {
    this.db.prepare('update outbox set body = ? where id = ?').run(JSON.stringify(body), id);
  }

  markAttempt(id: string): void {
    this.db.prepare('update outbox set attempts = attempts + 1 where id = ?').run(id);
  }

  acknowledge(id: string): void {
    this.db.prepare('delete from outbox where id = ?').run(id);
  }

  reject(id: string, reason: string): void {
    this.db.transaction(() => {
      const row = this.db.prepare('select * from outbox where id = ?').get(id) as Row | undefined;
      if (!row) return;
      this.db
        .prepare(
          'insert or replace into rejected (id, occurred_at, body, reason, rejected_at) values (?, ?, ?, ?, ?)',
        )
        .run(row.id, row.occurred_at, row.body, reason, new Date().toISOString());
      this.db.prepare('delete from outbox where id = ?').run(id);
    })();
  }

  /** Small persistent facts the agent needs across restarts (e.g. who was signed in). */
  getState(key: string): string | undefined {
    const row = this.db.prepare('select value from state where key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setState(key: string, value: string | null): void {
    if (value === null) this.db.prepare('delete from state where key = ?').run(key);
    else this.db.prepare('insert or replace into state (key, value) values (?, ?)').run(key, value);
  }

  /** Every state entry whose key starts with `prefix` (a session's own namespace). */
  stateWithPrefix(prefix: string): [string, string][] {
    const rows = this.db
      .prepare('select key, value from state where substr(key, 1, ?) = ? order by key')
      .all(prefix.length, prefix) as { key: string; value: string }[];
    return rows.map((r) => [r.key, r.value]);
  }

  /** Runs `fn` in one transaction: events enqueued and state set inside it land together or not at all. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  size(): number {
    return (this.db.prepare('select count(*) as n from outbox').get() as { n: number }).n;
  }

  rejectedCount(): number {
    return (this.db.prepare('select count(*) as n from rejected').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
