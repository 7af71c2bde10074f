import { z } from 'zod';
import type { DeviceClass } from './energy.js';

const text = (max: number) => z.string().max(max);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** What the agent knows about its hardware. Device-level only: no user names (AVG). */
export const InventorySchema = z.object({
  os: z.enum(['windows', 'macos', 'linux', 'chromeos', 'other']).optional(),
  osVersion: text(100).optional(),
  chassisType: text(60).optional(),
  manufacturer: text(100).optional(),
  model: text(100).optional(),
  battery: z
    .object({
      hasBattery: z.boolean(),
      designCapacityWh: z.number().min(0).max(10_000).optional(),
      fullCapacityWh: z.number().min(0).max(10_000).optional(),
      cycleCount: z.number().int().min(0).max(100_000).optional(),
      percent: z.number().min(0).max(100).optional(),
      /** capacities in mAh when the battery reports no voltage to turn them into Wh (macOS, some Linux) */
      designCapacityMah: z.number().min(0).max(1_000_000).optional(),
      fullCapacityMah: z.number().min(0).max(1_000_000).optional(),
      manufacturer: text(100).optional(),
      model: text(100).optional(),
    })
    .optional(),
  /** hardware serial number, device-level (for matching purchase records later), never a person's */
  serialNumber: text(100).optional(),
  bios: z
    .object({
      vendor: text(100).optional(),
      version: text(100).optional(),
      /** YYYY-MM-DD: a lower bound for the device's age when no purchase date is known */
      releaseDate: isoDate.optional(),
    })
    .optional(),
  cpu: z
    .object({
      manufacturer: text(100).optional(),
      brand: text(200).optional(),
      cores: z.number().int().min(1).max(1024).optional(),
      physicalCores: z.number().int().min(1).max(1024).optional(),
    })
    .optional(),
  memoryBytes: z
    .number()
    .int()
    .min(0)
    .max(2 ** 50)
    .optional(),
  disks: z
    .array(
      z.object({
        type: z.enum(['ssd', 'nvme', 'hdd', 'other']).optional(),
        sizeBytes: z
          .number()
          .min(0)
          .max(2 ** 60)
          .optional(),
        /** SMART verdict where the OS gives one; absent = not known */
        smart: z.enum(['ok', 'failing']).optional(),
      }),
    )
    .max(16)
    .optional(),
  /** epoch ms the hardware was read (systeminformation, at start and once a day) */
  readAt: z.number().int().min(0).optional(),
  displays: z
    .array(z.object({ internal: z.boolean().optional(), sizeInch: z.number().min(0).max(200).optional() }))
    .max(16)
    .optional(),
});
export type Inventory = z.infer<typeof InventorySchema>;

const laptopChassis = [
  'portable',
  'laptop',
  'notebook',
  'sub notebook',
  'convertible',
  'detachable',
  'hand held',
];
const desktopChassis = [
  'desktop',
  'low profile desktop',
  'pizza box',
  'mini tower',
  'tower',
  'space-saving',
  'lunch box',
  'sealed-case pc',
  'embedded pc',
  'mini pc',
  'stick pc',
];

export interface ClassDecision {
  deviceClass: DeviceClass;
  /** set when the answer is a guess that IT should look at */
  review?: string;
  /** the console may suggest the "modern mini/SFF" desktop preset, never apply it by itself */
  suggestModernPreset?: boolean;
}

/** Resolves a device class from hardware data, first rule that answers wins (docs/energy-model.md). */
export function classifyDevice(inv: Inventory, manual?: DeviceClass): ClassDecision {
  if (manual) return { deviceClass: manual };
  if (inv.os === 'chromeos') return { deviceClass: 'chromebook' };
  const hasBattery = inv.battery?.hasBattery === true;
  let review: string | undefined;
  if (inv.os === 'macos' && inv.model) {
    const m = inv.model.replace(/\s+/g, '').toLowerCase();
    if (m.startsWith('macbook')) return { deviceClass: 'laptop' };
    if (m.startsWith('imac')) return { deviceClass: 'all-in-one' };
    if (m.startsWith('macmini') || m.startsWith('macpro') || m.startsWith('macstudio'))
      return { deviceClass: 'desktop' };
    review = 'Mac model identifier does not reveal the form factor';
  }
  const chassis = (inv.chassisType ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  if (laptopChassis.includes(chassis)) {
    if (inv.battery && !hasBattery) {
      return { deviceClass: 'desktop', review: 'laptop chassis without a battery' };
    }
    return { deviceClass: 'laptop' };
  }
  if (desktopChassis.includes(chassis)) {
    const suggestModernPreset = ['mini pc', 'stick pc', 'space-saving'].includes(chassis);
    return suggestModernPreset ? { deviceClass: 'desktop', suggestModernPreset } : { deviceClass: 'desktop' };
  }
  if (chassis === 'all in one' || chassis === 'all-in-one') return { deviceClass: 'all-in-one' };
  if (chassis === 'tablet') return { deviceClass: 'tablet' };
  const deviceClass: DeviceClass = hasBattery ? 'laptop' : 'desktop';
  return review ? { deviceClass, review } : { deviceClass };
}
