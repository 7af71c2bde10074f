/**
 * `sluimer-agent hardware`: reads the hardware inventory (systeminformation: model, chassis, CPU,
 * memory, disks, battery wear) and prints it as one line of JSON. The service runs this command as a
 * short-lived child (service/hardware-process.ts), so systeminformation's ≈ 300 KB of code and what it
 * touches (≈ 6 MB RSS, docs/benchmarks.md) never stay in the service's memory. Also handy for an admin
 * who wants to see what the agent reports.
 */
export async function command(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error('Usage: sluimer-agent hardware (prints the hardware inventory as JSON)');
    return 2;
  }
  const { readHardwareInventory } = await import('../service/hardware-reader.js');
  const inventory = await readHardwareInventory();
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(`${JSON.stringify(inventory)}\n`, (err) => (err ? reject(err) : resolve())),
  );
  return 0;
}
