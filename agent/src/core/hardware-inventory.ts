import type { Inventory } from '@sluimer/shared';

/**
 * The parts of systeminformation's answers the agent reads (si.system, bios, chassis, cpu, mem,
 * diskLayout, battery). Every field is optional and loosely typed: what the library returns differs
 * per OS and per machine, and this mapping must cope with all of it.
 */
export interface SiSnapshot {
  system?: { manufacturer?: unknown; model?: unknown; serial?: unknown; virtual?: unknown };
  bios?: { vendor?: unknown; version?: unknown; releaseDate?: unknown };
  chassis?: { type?: unknown };
  cpu?: { manufacturer?: unknown; brand?: unknown; cores?: unknown; physicalCores?: unknown };
  mem?: { total?: unknown };
  diskLayout?: readonly {
    type?: unknown;
    size?: unknown;
    smartStatus?: unknown;
    interfaceType?: unknown;
  }[];
  battery?: {
    hasBattery?: unknown;
    cycleCount?: unknown;
    designedCapacity?: unknown;
    maxCapacity?: unknown;
    capacityUnit?: unknown;
    voltage?: unknown;
    manufacturer?: unknown;
    model?: unknown;
  };
}

/** placeholders firmware and the library use for "not filled in" */
const PLACEHOLDERS = new Set([
  '',
  '-',
  'default string',
  'to be filled by o.e.m.',
  'to be filled by oem',
  'system serial number',
  'system product name',
  'system manufacturer',
  'not specified',
  'not applicable',
  'none',
  'unknown',
  '0',
  '0123456789',
]);

function str(v: unknown, max: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim().replace(/\s+/g, ' ');
  if (PLACEHOLDERS.has(t.toLowerCase())) return undefined;
  return t.slice(0, max);
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  const p = positive(n);
  return p === undefined ? undefined : Math.round(p);
}

/** BIOS dates come as YYYY-MM-DD (Linux, Windows) or MM/DD/YYYY (SMBIOS raw); anything else is dropped */
export function normaliseBiosDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  let y: number;
  let m: number;
  let d: number;
  let iso = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(t);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else {
    iso = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
    if (!iso) return undefined;
    [m, d, y] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  }
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function diskType(type: unknown, iface: unknown): 'ssd' | 'nvme' | 'hdd' | 'other' {
  const t = typeof type === 'string' ? type.toLowerCase() : '';
  const i = typeof iface === 'string' ? iface.toLowerCase() : '';
  if (t.includes('nvme') || i.includes('nvme')) return 'nvme';
  if (t === 'ssd') return 'ssd';
  if (t === 'hd' || t === 'hdd') return 'hdd';
  return 'other';
}

function battery(b: SiSnapshot['battery']): NonNullable<Inventory['battery']> {
  if (b?.hasBattery !== true) return { hasBattery: false };
  const out: NonNullable<Inventory['battery']> = { hasBattery: true };
  const design = positive(b.designedCapacity);
  const full = positive(b.maxCapacity);
  const unit = typeof b.capacityUnit === 'string' ? b.capacityUnit.trim().toLowerCase() : '';
  const volts = positive(b.voltage);
  const round = (n: number) => Math.round(n * 100) / 100;
  if (unit === 'mwh') {
    if (design !== undefined) out.designCapacityWh = round(design / 1000);
    if (full !== undefined) out.fullCapacityWh = round(full / 1000);
  } else if (unit === 'mah') {
    if (design !== undefined) out.designCapacityMah = Math.round(design);
    if (full !== undefined) out.fullCapacityMah = Math.round(full);
    // the present voltage turns mAh into Wh closely enough for an energy estimate; health uses mAh
    if (volts !== undefined && volts < 100) {
      if (design !== undefined) out.designCapacityWh = round((design * volts) / 1000);
      if (full !== undefined) out.fullCapacityWh = round((full * volts) / 1000);
    }
  }
  // systeminformation reports 0 when the battery does not count cycles: unknown, not new
  const cycles = int(b.cycleCount);
  if (cycles !== undefined) out.cycleCount = cycles;
  const manufacturer = str(b.manufacturer, 100);
  if (manufacturer) out.manufacturer = manufacturer;
  const model = str(b.model, 100);
  if (model) out.model = model;
  return out;
}

/**
 * systeminformation's answers → Sluimer's inventory (the hardware part; os, osVersion and displays
 * stay with the platform adapters, which read them from the OS). Pure: placeholders and zeros
 * become "absent", never a value; a section systeminformation did not answer stays absent.
 */
export function inventoryFromSi(si: SiSnapshot, readAt: number): Inventory {
  const inv: Inventory = { readAt };
  const manufacturer = str(si.system?.manufacturer, 100);
  if (manufacturer) inv.manufacturer = manufacturer;
  const model = str(si.system?.model, 100);
  if (model) inv.model = model;
  const serial = str(si.system?.serial, 100);
  if (serial) inv.serialNumber = serial;
  const chassis = str(si.chassis?.type, 60);
  if (chassis) inv.chassisType = chassis;
  const bios: NonNullable<Inventory['bios']> = {};
  const vendor = str(si.bios?.vendor, 100);
  if (vendor) bios.vendor = vendor;
  const version = str(si.bios?.version, 100);
  if (version) bios.version = version;
  const releaseDate = normaliseBiosDate(si.bios?.releaseDate);
  if (releaseDate) bios.releaseDate = releaseDate;
  if (Object.keys(bios).length > 0) inv.bios = bios;
  const cpu: NonNullable<Inventory['cpu']> = {};
  const cpuMaker = str(si.cpu?.manufacturer, 100);
  if (cpuMaker) cpu.manufacturer = cpuMaker;
  const brand = str(si.cpu?.brand, 200);
  if (brand) cpu.brand = brand;
  const cores = int(si.cpu?.cores);
  if (cores !== undefined && cores <= 1024) cpu.cores = cores;
  const physical = int(si.cpu?.physicalCores);
  if (physical !== undefined && physical <= 1024) cpu.physicalCores = physical;
  if (Object.keys(cpu).length > 0) inv.cpu = cpu;
  const mem = int(si.mem?.total);
  if (mem !== undefined) inv.memoryBytes = mem;
  if (Array.isArray(si.diskLayout)) {
    const disks: NonNullable<Inventory['disks']> = [];
    for (const d of si.diskLayout) {
      // a USB stick or external drive is not part of the device
      if (typeof d.interfaceType === 'string' && d.interfaceType.toLowerCase() === 'usb') continue;
      const disk: NonNullable<Inventory['disks']>[number] = { type: diskType(d.type, d.interfaceType) };
      const size = positive(d.size);
      if (size !== undefined) disk.sizeBytes = size;
      const smart = typeof d.smartStatus === 'string' ? d.smartStatus.toLowerCase() : '';
      if (smart === 'ok') disk.smart = 'ok';
      else if (smart === 'predicted failure' || smart === 'failing') disk.smart = 'failing';
      disks.push(disk);
      if (disks.length === 16) break;
    }
    inv.disks = disks;
  }
  // a battery section that failed or timed out says nothing: absent, never "no battery"
  if (si.battery) inv.battery = battery(si.battery);
  return inv;
}
