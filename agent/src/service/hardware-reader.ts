import type { Inventory } from '@sluimer/shared';
import { inventoryFromSi, type SiSnapshot } from '../core/hardware-inventory.js';

/** how long one section may take before the agent goes on without it: the first hello waits for it */
const READ_TIMEOUT_MS = 15_000;

/**
 * Reads the hardware with systeminformation. The module is imported here, at the first reading, so an
 * agent that has not read its inventory yet does not carry it in memory. A section that fails is left
 * out; the mapping (core/hardware-inventory.ts) decides what the answers mean.
 */
export async function readHardwareInventory(now: () => number = Date.now): Promise<Inventory> {
  const si = (await import('systeminformation')).default;
  const settle = async <T>(p: Promise<T>): Promise<T | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([p.catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const [system, bios, chassis, cpu, mem, diskLayout, battery] = await Promise.all([
    settle(si.system()),
    settle(si.bios()),
    settle(si.chassis()),
    settle(si.cpu()),
    settle(si.mem()),
    settle(si.diskLayout()),
    settle(si.battery()),
  ]);
  const snapshot: SiSnapshot = {};
  if (system) snapshot.system = system;
  if (bios) snapshot.bios = bios;
  if (chassis) snapshot.chassis = chassis;
  if (cpu) snapshot.cpu = cpu;
  if (mem) snapshot.mem = mem;
  if (diskLayout) snapshot.diskLayout = diskLayout;
  if (battery) snapshot.battery = battery;
  return inventoryFromSi(snapshot, now());
}

/**
 * The hello's inventory: the platform adapter's (os, OS version, displays, the battery's charge) with
 * systeminformation's hardware over it. A field systeminformation could not read keeps the adapter's.
 */
export function mergeInventory(platform: Inventory, hardware: Inventory | null): Inventory {
  if (!hardware) return platform;
  const merged: Inventory = { ...platform, ...hardware };
  if (platform.os) merged.os = platform.os;
  if (platform.osVersion) merged.osVersion = platform.osVersion;
  if (platform.battery && hardware.battery) {
    merged.battery = hardware.battery.hasBattery
      ? { ...platform.battery, ...hardware.battery }
      : // systeminformation saw none: trust a battery the OS adapter did see (a driver it knows)
        platform.battery;
  }
  return merged;
}
