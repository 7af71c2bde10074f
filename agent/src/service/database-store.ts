import type { AgentDatabase } from './agent-database.js';
import type { KeyStore } from './store.js';

/**
 * Documents kept in the agent database (its `meta` table, under `<prefix>:<name>`) for state that
 * changes at every report, such as the tray's hourly totals. A write commits atomically but without a
 * disk flush of its own: the next report's commit (fsynced) makes it durable too, so a power cut costs
 * at most the last minute of it, never a torn document. A file per document would cost a temp file, two
 * fsyncs and a rename at every report (docs/benchmarks.md).
 *
 * `legacy` is where an older agent kept these documents (a FileStore): read when the database has none
 * yet, and removed once the document is written here.
 */
export class DatabaseStore implements KeyStore {
  /** the text each document was last read or written with: an unchanged write is skipped */
  private readonly known = new Map<string, string>();
  /** documents whose legacy file is removed already (in this run) */
  private readonly moved = new Set<string>();

  constructor(
    private readonly db: AgentDatabase,
    private readonly prefix: string,
    private readonly legacy?: KeyStore,
  ) {}

  get location(): string {
    return `${this.prefix} in the agent database`;
  }

  read<T>(name: string): T | null {
    const text = this.db.get(this.key(name));
    if (text === undefined) return this.legacy?.read<T>(name) ?? null;
    this.known.set(name, text);
    return JSON.parse(text) as T;
  }

  write(name: string, value: unknown): void {
    const text = JSON.stringify(value);
    if (this.known.get(name) === text) return;
    this.db.transactionUnsynced(() => this.db.set(this.key(name), text));
    this.known.set(name, text);
    this.forgetLegacy(name);
  }

  remove(name: string): void {
    this.known.delete(name);
    this.db.transactionUnsynced(() => this.db.delete(this.key(name)));
    this.forgetLegacy(name);
  }

  private forgetLegacy(name: string): void {
    if (!this.legacy || this.moved.has(name)) return;
    this.legacy.remove(name);
    this.moved.add(name);
  }

  private key(name: string): string {
    return `${this.prefix}:${name}`;
  }
}
