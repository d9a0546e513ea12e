/**
 * Agent outbox events: stored once, their effects run by the feature that owns each type.
 * The registry is built from the features' declarations (`ServerFeature.agentEvents`); the
 * transport only looks an event's type up in it.
 */
import { agentEventBodySchema, type AgentEvent, type AgentEventType } from '@harbour/shared';
import type { Db } from '../db/database.js';
import { BulkRefused, inGroupTransaction, type Bulk } from '../db/group-commit.js';
import { prepared } from '../db/prepared.js';
import type { AgentEventRegistration, ServerFeature } from '../core/feature.js';
import type { Clock } from '../core/ports.js';
import type { AgentEventsTable } from '../db/schema.js';

const eventTypes = agentEventBodySchema.options.map((o) => o.shape.type.value);

export type AgentEventRegistry = ReadonlyMap<AgentEventType, AgentEventRegistration>;

/** Every event type must have exactly one owner: a type nobody stores would be acknowledged and lost. */
export function agentEventRegistry(features: readonly ServerFeature[]): AgentEventRegistry {
  const registry = new Map<AgentEventType, AgentEventRegistration>();
  const owner = new Map<AgentEventType, string>();
  for (const feature of features) {
    for (const store of feature.agentEvents ?? []) {
      const other = owner.get(store.type);
      if (other) throw new Error(`agent event ${store.type} is stored by both ${other} and ${feature.name}`);
      owner.set(store.type, feature.name);
      registry.set(store.type, store);
    }
  }
  const unowned = eventTypes.filter((t) => !registry.has(t));
  if (unowned.length > 0) throw new Error(`no feature stores agent events ${unowned.join(', ')}`);
  return registry;
}

/**
 * The times a device may claim for an event: up to 5 minutes ahead of the server's clock
 * (clocks drift), and back to 90 days ago (a laptop offline over the summer holiday still
 * delivers its outbox). A time outside is the device's clock being wrong, or a lie: the
 * event is kept (nothing a pupil sent is dropped) at the time it was received, and the
 * device's health says its clock is wrong.
 */
export const eventTimeWindow = { futureMs: 5 * 60_000, pastMs: 90 * 86_400_000 } as const;

export function saneEventTime(claimed: string, now: Date): { at: string; skewed: boolean } {
  const at = Date.parse(claimed);
  const t = now.getTime();
  if (Number.isFinite(at) && at <= t + eventTimeWindow.futureMs && at >= t - eventTimeWindow.pastMs) {
    return { at: claimed, skewed: false };
  }
  return { at: now.toISOString(), skewed: true };
}

/** Told when an event's time was outside the window and the time it was received was used. */
export type ClockSkewed = (deviceId: string, claimed: string, used: string) => Promise<void>;

/** An event's row in `agent_events`. */
// A mapped copy: a type, not the interface, so it stands as the prepared query's values.
type EventRow = { [K in keyof AgentEventsTable]: AgentEventsTable[K] };

/** Built once (db/prepared.ts): every agent event runs it. */
const insertEvent = prepared<EventRow, never>(
  ['device_id', 'event_id', 'type', 'occurred_at', 'received_at', 'body'],
  (db, row) =>
    db
      .insertInto('agent_events')
      .values(row)
      .onConflict((oc) => oc.doNothing()),
);

type Stored = { stored: false } | { stored: true; result: unknown };

/**
 * Each registration's bulk store (db/group-commit.ts): the batch's events of that type in
 * one insert, then the feature's `storeMany`. A redelivered event among them (the insert
 * gives back fewer rows) sends the batch down the one-by-one path, which tells it apart.
 */
type EventBulk = Bulk<{ row: EventRow; event: AgentEvent }, Stored>;
const bulks = new WeakMap<AgentEventRegistration, EventBulk>();
function bulkOf(handler: AgentEventRegistration): EventBulk | undefined {
  if (!handler.storeMany || handler.rerunnable !== true) return undefined;
  let bulk = bulks.get(handler);
  if (!bulk) {
    bulk = {
      async run(trx, inputs) {
        const inserted = await trx
          .insertInto('agent_events')
          .values(inputs.map((i) => i.row))
          .onConflict((oc) => oc.doNothing())
          .returning('event_id')
          .execute();
        if (inserted.length !== inputs.length) throw new BulkRefused('an event was delivered again');
        const results = await handler.storeMany!(
          trx,
          inputs.map((i) => ({ deviceId: i.row.device_id, event: i.event })),
        );
        return results.map((result) => ({ stored: true as const, result }));
      },
    };
    bulks.set(handler, bulk);
  }
  return bulk;
}

/**
 * Stores an outbox event once: the (device, event id) primary key makes a redelivered
 * event a no-op. Returns false for a duplicate. The owning feature's `store` runs in the
 * same transaction, so its effects too happen exactly once; its `afterCommit` runs once
 * the transaction has committed. Events arriving together share one transaction (group
 * commit), each in its own savepoint.
 */
export async function storeEvent(
  db: Db,
  registry: AgentEventRegistry,
  deviceId: string,
  claimed: AgentEvent,
  clock: Clock,
  clockSkewed?: ClockSkewed,
): Promise<boolean> {
  const handler = registry.get(claimed.body.type);
  if (!handler) throw new Error(`no feature stores agent events ${claimed.body.type}`);
  const time = saneEventTime(claimed.occurredAt, clock.now());
  const event = time.skewed ? { ...claimed, occurredAt: time.at } : claimed;
  const row: EventRow = {
    device_id: deviceId,
    event_id: event.id,
    type: event.body.type,
    occurred_at: event.occurredAt,
    received_at: clock.now().toISOString(),
    body: JSON.stringify(event.body),
  };
  const bulk = bulkOf(handler);
  const outcome: Stored = await inGroupTransaction(
    db,
    async (trx): Promise<Stored> => {
      const inserted = await insertEvent.run(trx, row);
      if (Number(inserted.numAffectedRows ?? 0) === 0) return { stored: false };
      return { stored: true, result: await handler.store(trx, deviceId, event) };
    },
    deviceId,
    { rerunnable: handler.rerunnable === true, ...(bulk && { bulk: { of: bulk, input: { row, event } } }) },
  );
  if (outcome.stored && time.skewed) await clockSkewed?.(deviceId, claimed.occurredAt, time.at);
  if (outcome.stored) await handler.afterCommit?.(outcome.result, deviceId);
  return outcome.stored;
}
