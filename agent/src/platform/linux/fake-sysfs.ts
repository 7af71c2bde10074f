import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Test double (excluded from the build): fake /sys/class power_supply and backlight trees.

/** A fake /sys/class tree: one backlight and an AC adapter with an unusual name plus a battery. */
export async function fakeSysfs(options: { backlight?: boolean; onBattery?: boolean } = {}): Promise<{
  root: string;
  backlightDir: string;
  powerSupplyDir: string;
}> {
  const root = await mkdtemp(join(tmpdir(), 'sluimer-sysfs-'));
  const backlightDir = join(root, 'backlight');
  const powerSupplyDir = join(root, 'power_supply');
  await mkdir(backlightDir, { recursive: true });
  if (options.backlight !== false) {
    const dev = join(backlightDir, 'intel_backlight');
    await mkdir(dev);
    await writeFile(join(dev, 'max_brightness'), '19200\n');
    await writeFile(join(dev, 'brightness'), '17280\n');
    await writeFile(join(dev, 'type'), 'raw\n');
    await writeFile(join(dev, 'bl_power'), '0\n');
    const acpi = join(backlightDir, 'acpi_video0');
    await mkdir(acpi);
    await writeFile(join(acpi, 'max_brightness'), '15\n');
    await writeFile(join(acpi, 'brightness'), '15\n');
    await writeFile(join(acpi, 'type'), 'firmware\n');
  }
  const adp = join(powerSupplyDir, 'ADP1');
  await mkdir(adp, { recursive: true });
  await writeFile(join(adp, 'type'), 'Mains\n');
  await writeFile(join(adp, 'online'), options.onBattery ? '0\n' : '1\n');
  const bat = join(powerSupplyDir, 'BAT0');
  await mkdir(bat);
  await writeFile(
    join(bat, 'uevent'),
    [
      'POWER_SUPPLY_NAME=BAT0',
      'POWER_SUPPLY_TYPE=Battery',
      `POWER_SUPPLY_STATUS=${options.onBattery ? 'Discharging' : 'Charging'}`,
      'POWER_SUPPLY_PRESENT=1',
      'POWER_SUPPLY_CYCLE_COUNT=0',
      'POWER_SUPPLY_VOLTAGE_MIN_DESIGN=11400000',
      'POWER_SUPPLY_CHARGE_FULL_DESIGN=4474000',
      'POWER_SUPPLY_CHARGE_FULL=3750000',
      'POWER_SUPPLY_CAPACITY=98',
      'POWER_SUPPLY_SERIAL_NUMBER= 2958',
      '',
    ].join('\n'),
  );
  return { root, backlightDir, powerSupplyDir };
}

/**
 * Plugs the fake tree's adapter in or pulls it: ADP1/online and the battery's STATUS change together,
 * as the kernel reports them.
 */
export async function switchSupply(powerSupplyDir: string, source: 'ac' | 'battery'): Promise<void> {
  await writeFile(join(powerSupplyDir, 'ADP1', 'online'), source === 'ac' ? '1\n' : '0\n');
  const uevent = join(powerSupplyDir, 'BAT0', 'uevent');
  const text = await readFile(uevent, 'utf8');
  await writeFile(
    uevent,
    text.replace(
      /^POWER_SUPPLY_STATUS=.*$/m,
      `POWER_SUPPLY_STATUS=${source === 'ac' ? 'Charging' : 'Discharging'}`,
    ),
  );
}

/** The preferred (firmware) panel of the fake tree, in %. */
export async function panelPct(backlightDir: string): Promise<number> {
  const cur = Number(await readFile(join(backlightDir, 'acpi_video0', 'brightness'), 'utf8'));
  const max = Number(await readFile(join(backlightDir, 'acpi_video0', 'max_brightness'), 'utf8'));
  return Math.round((cur * 100) / max);
}
