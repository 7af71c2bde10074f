import { describe, expect, it } from 'vitest';
import { blockerKindText, chassisText, osText } from './inventoryText.js';

describe('what a device reported, in words', () => {
  it('names Windows by its version and build instead of the raw kernel number', () => {
    expect(osText('windows', '10.0.19045', 'nl')).toBe('Windows 10 (build 19045)');
    expect(osText('windows', '10.0.22631', 'nl')).toBe('Windows 11 (build 22631)');
    expect(osText('macos', '14.5', 'nl')).toBe('macOS 14.5');
    expect(osText('other', undefined, 'nl')).toBe('Ander besturingssysteem');
    expect(osText(undefined, undefined, 'nl')).toBe('—');
  });

  it('translates chassis types and blocker kinds, keeping unknown ones as reported', () => {
    expect(chassisText('All in One', 'nl')).toBe('Alles-in-één');
    expect(chassisText('Notebook', 'nl')).toBe('Laptop');
    expect(chassisText('Other', 'nl')).toBe('Overig');
    expect(chassisText('Pizza Box', 'nl')).toBe('Pizza Box');
    expect(blockerKindText('process', 'nl')).toBe('programma');
    expect(blockerKindText('service', 'en')).toBe('system service');
  });
});
