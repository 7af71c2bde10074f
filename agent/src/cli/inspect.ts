// Placeholder until the inspect command lands; replaced by its real implementation.
export async function command(_args: string[]): Promise<number> {
  console.error('sluimer-agent inspect is not available in this build yet.');
  return 3;
}
