import { z } from 'zod';
import { DeviceClassSchema, MonitorSizeSchema, StateWattsSchema } from '../energy.js';
import { LifecycleFiguresSettingSchema } from '../lifecycle/options.js';

/** Deployment settings (docs/energy-model.md plus raw-data retention); PUT takes any subset. */
export const SettingsSchema = z.object({
  priceEurPerKwh: z.number().min(0).max(5),
  gridKgPerKwh: z.number().min(0).max(2),
  /** per-class watt overrides, field by field over the built-in figures */
  classWatts: z.partialRecord(DeviceClassSchema, StateWattsSchema.partial()).optional(),
  monitorWatts: z.partialRecord(MonitorSizeSchema, StateWattsSchema.partial()).optional(),
  /** days raw intervals are kept; hourly and daily rollups are kept longer */
  rawRetentionDays: z.number().int().min(30).max(3650),
  /**
   * € and kg CO2e of the lifecycle options per class, field by field over the defaults
   * (docs/lifecycle.md "Options and their figures"); a PUT replaces the whole map, `{}` restores them
   */
  lifecycleFigures: LifecycleFiguresSettingSchema.optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsUpdateRequestSchema = SettingsSchema.partial().strict();
