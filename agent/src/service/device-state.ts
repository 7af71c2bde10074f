import type { AgentDatabase } from './agent-database.js';

/**
 * The device's measuring state (the tracker: the open interval, the last moment seen, what is not
 * reported yet), kept in the agent's database beside the report queue. The service saves it on
 * changes and at checkpoints, and in the same transaction as the report that takes intervals out of
 * it (service/agent.ts `writeReport`), so after a kill nothing is both in a report and still in the
 * state.
 */
export class DeviceStateRecord {
  constructor(private readonly db: AgentDatabase) {}

  save(state: unknown): void {
    this.db.set('tracker', JSON.stringify(state));
  }

  /** the last saved state, null when none; throws when what is stored is not JSON */
  load<T>(): T | null {
    const v = this.db.get('tracker');
    return v ? (JSON.parse(v) as T) : null;
  }
}
