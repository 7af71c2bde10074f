import {
  type AppliedSettings,
  type EffectivePolicy,
  EffectivePolicySchema,
  ErrorCode,
  isSluimerError,
  type PolicyError,
  type PolicyStatusFrame,
} from '@sluimer/shared';
import { panelTarget } from '../core/bounds.js';
import {
  enforcementKey,
  failedFields,
  holds,
  oneValueTarget,
  pickSettings,
  policyTargets,
  type SettingField,
  targetFields,
  unchangedFields,
  validateTargets,
  writtenFields,
} from '../core/targets.js';
import type {
  Clock,
  PlatformAdapter,
  PowerSettings,
  PowerSourceKind,
  SettingsTarget,
} from '../platform/types.js';
import { type Logger, silentLogger } from './log.js';
import type { KeyStore } from './store.js';

/**
 * Applies the console's policy through the platform adapter. Before the first change it saves the
 * original settings durably ("originals"); audit-only or excluded policies apply nothing and put the
 * originals back if an earlier policy had changed them. Fields a new policy no longer names are
 * restored from the originals too. The outcome is always a `policy_status` frame (read back + errors).
 */

export interface SavedOriginals {
  savedAt: number;
  settings: PowerSettings;
}

export interface RestoreOutcome {
  applied: PowerSettings;
  errors: PolicyError[];
  /** fields put back (and forgotten) */
  restored: SettingField[];
  /** fields still changed; the errors say why */
  notRestored: SettingField[];
}

const ALL_FIELDS: SettingField[] = ['sleepAfterSec', 'displayOffAfterSec', 'brightnessPct', 'schedule'];

interface EnforcementRecord {
  /** fields this agent has changed and not restored */
  fields: (keyof SettingsTarget)[];
  key: string;
}

export function toApplied(s: PowerSettings): AppliedSettings {
  const out: AppliedSettings = {
    sleepAfterSec: { ...s.sleepAfterSec },
    displayOffAfterSec: { ...s.displayOffAfterSec },
    brightnessCapPct: { ...s.brightnessPct },
  };
  if (s.schedule !== undefined) {
    out.scheduledAction = s.schedule
      ? `${s.schedule.action} ${s.schedule.at} ${s.schedule.weekdays.join(',')}`
      : null;
  }
  return out;
}

function errorEntry(err: unknown, setting?: string): PolicyError {
  const code = isSluimerError(err) ? err.code : 'internal_error';
  const message = err instanceof Error ? err.message : String(err);
  return { ...(setting ? { setting } : {}), code: code.slice(0, 60), message: message.slice(0, 1000) };
}

export class PolicyEnforcer {
  private policy: EffectivePolicy | null = null;
  private etag: string | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly platform: PlatformAdapter,
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly log: Logger = silentLogger,
    /** where the power source is read (the tray's report on Windows, see SessionIdle); the adapter by default */
    private readonly readPowerSource: () => Promise<PowerSourceKind | 'unknown'> = () =>
      platform.powerSource(),
  ) {
    const saved = store.read<{ policy: unknown; etag: string }>('policy');
    if (saved) {
      const parsed = EffectivePolicySchema.safeParse(saved.policy);
      if (parsed.success) {
        this.policy = parsed.data;
        this.etag = saved.etag;
      }
    }
  }

  /** The last policy received (kept across restarts), or null. */
  current(): { policy: EffectivePolicy; etag: string } | null {
    return this.policy && this.etag !== null ? { policy: this.policy, etag: this.etag } : null;
  }

  originals(): SavedOriginals | null {
    return this.store.read<SavedOriginals>('originals');
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  /** A policy from `welcome` or `policy`: apply it now (re-applying heals settings changed behind our back). */
  setPolicy(policy: EffectivePolicy, etag: string): Promise<PolicyStatusFrame> {
    return this.serial(async () => {
      this.policy = policy;
      this.etag = etag;
      this.store.write('policy', { policy, etag });
      return this.enforce(true);
    });
  }

  /** The power source now; a failed read counts as unknown (and re-applies once it is known again). */
  private async source(): Promise<PowerSourceKind | 'unknown'> {
    return this.readPowerSource().catch(() => 'unknown' as const);
  }

  /**
   * Periodic check (school-hours boundaries) and the check after a power-source switch: applies only
   * when the targets changed, or when the source changed and the target names a setting the OS does
   * not switch by itself (`PlatformAdapter.sourceBound`).
   */
  reevaluate(): Promise<PolicyStatusFrame | null> {
    return this.serial(async () => {
      if (!this.policy) return null;
      const target = policyTargets(this.policy, this.clock.now());
      const rec = this.store.read<EnforcementRecord>('enforcement');
      const key = target
        ? enforcementKey(validateTargets(target).valid, await this.source(), this.platform.sourceBound)
        : 'none';
      if ((rec?.key ?? 'none') === key) return null;
      return this.enforce(false);
    });
  }

  private async enforce(always: boolean): Promise<PolicyStatusFrame> {
    const policy = this.policy!;
    const etag = this.etag!;
    const errors: PolicyError[] = [];
    let applied: PowerSettings | null = null;
    const target = policyTargets(policy, this.clock.now());
    const rec = this.store.read<EnforcementRecord>('enforcement') ?? { fields: [], key: 'none' };
    try {
      if (!target) {
        applied = await this.restoreAll(errors);
      } else {
        const { valid, problems } = validateTargets(target);
        errors.push(...problems);
        const source = await this.source();
        const key = enforcementKey(valid, source, this.platform.sourceBound);
        let inPlace = false;
        if (always && rec.key === key) {
          // a reconnect with the same targets: write only if the OS drifted (a user or tool changed it)
          const current = await this.platform.readSettings();
          if (holds(current, valid, source, this.platform.sourceBound)) {
            inPlace = true;
            applied = current;
          }
        }
        if (!inPlace && (always || rec.key !== key)) {
          const originals = await this.ensureOriginals();
          const wanted = targetFields(valid);
          const dropped = rec.fields.filter((f) => !wanted.includes(f));
          let notBack: SettingField[] = [];
          if (dropped.length > 0) {
            const back = pickSettings(originals.settings, dropped);
            const out = await this.platform.apply(back, 'restore');
            errors.push(...out.errors);
            notBack = failedFields(back, out.errors);
          }
          // the live panel first, so the read-back below shows it: the core decides the value
          await this.capPanel(valid, source, errors);
          // one OS value for both sources (GNOME's display-off delay): the core picks the current one
          const out = await this.platform.apply(
            oneValueTarget(valid, source, this.platform.oneValue),
            'policy',
          );
          errors.push(...out.errors);
          applied = out.applied;
          // what this agent has changed and not put back: written now, changed before and still named,
          // or dropped but not restored
          const same = unchangedFields(originals.settings, valid);
          const written = writtenFields(valid, out.errors).filter((f) => !same.includes(f));
          const changed = [
            ...new Set([...written, ...rec.fields.filter((f) => wanted.includes(f)), ...notBack]),
          ];
          this.store.write('enforcement', { fields: changed, key } satisfies EnforcementRecord);
          this.log.info('policy applied', { etag, errors: errors.length });
        }
      }
      applied ??= await this.platform.readSettings();
    } catch (err) {
      this.log.error('applying the policy failed', { err });
      errors.push(errorEntry(err));
    }
    return {
      type: 'policy_status',
      etag,
      ok: errors.length === 0,
      applied: applied ? toApplied(applied) : {},
      errors: errors.slice(0, 50).map((e) => ({
        ...(e.setting ? { setting: e.setting.slice(0, 100) } : {}),
        code: e.code.slice(0, 60),
        message: e.message.slice(0, 1000),
      })),
    };
  }

  /** Lowers the live panel to the cap for the current source (core rule), where the adapter has one. */
  private async capPanel(
    target: SettingsTarget,
    source: PowerSourceKind | 'unknown',
    errors: PolicyError[],
  ): Promise<void> {
    const { panelPct, setPanelPct } = this.platform;
    if (!target.brightnessPct || !panelPct || !setPanelPct) return;
    const now = await panelPct.call(this.platform).catch(() => null);
    // no panel: the adapter's apply says the cap is unsupported here
    if (now === null) return;
    const pct = panelTarget(target.brightnessPct, source, now);
    if (pct === null) return;
    await setPanelPct.call(this.platform, pct).catch((err: unknown) => {
      errors.push(errorEntry(err, `brightnessPct.${source}`));
    });
  }

  private async ensureOriginals(): Promise<SavedOriginals> {
    const saved = this.originals();
    if (saved) return saved;
    const settings = await this.platform.readSettings();
    const originals = { savedAt: this.clock.now(), settings };
    this.store.write('originals', originals);
    this.log.info('original settings saved before the first change');
    return originals;
  }

  private async restoreAll(errors: PolicyError[]): Promise<PowerSettings | null> {
    const out = await this.restoreRecorded('none');
    if (!out) return null;
    errors.push(...out.errors);
    return out.applied;
  }

  /**
   * Puts back what this agent changed, as recorded: only those fields, from the saved originals. What
   * came back is forgotten; what did not stays recorded (with `keyAfter`), so a retry tries only that.
   * Without a record (originals saved by an older agent, or a run cut short before the record was
   * written) every field the originals hold is written, and a setting this OS does not support counts
   * as never changed.
   */
  private async restoreRecorded(keyAfter: string): Promise<RestoreOutcome | null> {
    const saved = this.originals();
    if (!saved) return null;
    const rec = this.store.read<EnforcementRecord>('enforcement');
    const target = pickSettings(saved.settings, rec ? rec.fields : ALL_FIELDS);
    const fields = targetFields(target);
    const out =
      fields.length > 0
        ? await this.platform.apply(target, 'restore')
        : { applied: await this.platform.readSettings(), errors: [] };
    const errors = rec ? out.errors : out.errors.filter((e) => e.code !== ErrorCode.Unsupported);
    const notRestored = failedFields(target, errors);
    const restored = fields.filter((f) => !notRestored.includes(f));
    if (notRestored.length === 0) {
      this.store.remove('originals');
      this.store.remove('enforcement');
      this.log.info('original settings restored', { fields: restored });
    } else {
      this.store.write('enforcement', { fields: notRestored, key: keyAfter } satisfies EnforcementRecord);
      this.log.warn('original settings only partly restored', { restored, notRestored });
    }
    return { applied: out.applied, errors, restored, notRestored };
  }

  /**
   * `sluimer-agent restore`: put back what the agent changed and forget it. Null when nothing was
   * saved. `notRestored` names the fields still changed (their errors say why); running it again
   * retries only those, and once everything is back it is a no-op.
   */
  restore(): Promise<RestoreOutcome | null> {
    // a service started later must apply its policy again: the key matches no policy
    return this.serial(() => this.restoreRecorded('restored'));
  }
}
