/**
 * Agent outbox events: stored once, their effects run by the feature that owns each type.
 * The registry is built from the features' declarations (`ServerFeature.agentEvents`); the
 * transport only looks an event's type up in it.
 */
import { agentEventBodySchema, type AgentEvent, type AgentEventType } from '@harbour/shared';
import type { Db } from '../db/database.js';
import { inGroupTransaction } from '../db/group-commit.js';
import type { AgentEventRegistration, ServerFeature } from '../core/feature.js';
import type { Clock } from '../core/ports.js';

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
  event: AgentEvent,
  clock: Clock,
): Promise<boolean> {
  const handler = registry.get(event.body.type);
  if (!handler) throw new Error(`no feature stores agent events ${event.body.type}`);
  const outcome = await inGroupTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('agent_events')
      .values({
        device_id: deviceId,
        event_id: event.id,
        type: event.body.type,
        occurred_at: event.occurredAt,
        received_at: clock.now().toISOString(),
        body: JSON.stringify(event.body),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { stored: false as const };
    return { stored: true as const, result: await handler.store(trx, deviceId, event) };
  });
  if (outcome.stored) await handler.afterCommit?.(outcome.result, deviceId);
  return outcome.stored;
}
