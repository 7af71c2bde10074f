// Placeholder entry point; the console server replaces it.
export async function main(_argv: string[]): Promise<number> {
  console.error('sluimer-console is not available in this build yet.');
  return 3;
}
