// Placeholder until the doctor command lands; replaced by its real implementation.
export async function command(_args: string[]): Promise<number> {
  console.error('sluimer-agent doctor is not available in this build yet.');
  return 3;
}
