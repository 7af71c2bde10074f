import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The core is pure logic over data: it may use @sluimer/shared and itself, never the OS adapters,
// the service or Node's I/O modules (docs: agent/README.md, "one place for each rule").
describe('agent core boundaries', () => {
  const dir = new URL('./', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it('imports nothing from platform/, service/, session/ or node: I/O', () => {
    expect(files.length).toBeGreaterThan(3);
    const bad: string[] = [];
    for (const f of files) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (/^\.\.\/|^node:|^(fs|os|child_process|net|path)$/.test(spec)) bad.push(`${f}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
