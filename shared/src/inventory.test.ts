import { describe, expect, it } from 'vitest';
import { classifyDevice } from './inventory.js';

describe('classifyDevice (docs/energy-model.md, device class)', () => {
  it('prefers a class set by IT over anything the hardware says', () => {
    expect(classifyDevice({ chassisType: 'Notebook' }, 'desktop').deviceClass).toBe('desktop');
  });
  it('makes every ChromeOS device a Chromebook', () => {
    expect(classifyDevice({ os: 'chromeos', chassisType: 'Convertible' }).deviceClass).toBe('chromebook');
  });
  it.each([
    ['MacBookPro18,3', 'laptop'],
    ['iMac21,1', 'all-in-one'],
    ['Macmini9,1', 'desktop'],
    ['Mac Studio', 'desktop'],
  ] as const)('reads Mac model %s as %s', (model, cls) => {
    expect(classifyDevice({ os: 'macos', model }).deviceClass).toBe(cls);
  });
  it('flags bare Apple Silicon identifiers for review and falls back to the battery', () => {
    const d = classifyDevice({ os: 'macos', model: 'Mac14,2', battery: { hasBattery: true } });
    expect(d.deviceClass).toBe('laptop');
    expect(d.review).toBeDefined();
  });
  it('compares chassis names trimmed and case-insensitively', () => {
    expect(classifyDevice({ chassisType: ' Space-saving ' }).deviceClass).toBe('desktop');
    expect(classifyDevice({ chassisType: 'NOTEBOOK', battery: { hasBattery: true } }).deviceClass).toBe(
      'laptop',
    );
  });
  it('calls a laptop chassis without a battery a desktop and flags it', () => {
    const d = classifyDevice({ chassisType: 'Notebook', battery: { hasBattery: false } });
    expect(d).toMatchObject({ deviceClass: 'desktop' });
    expect(d.review).toBeDefined();
  });
  it('keeps a desktop chassis with a battery (a UPS) a desktop', () => {
    expect(classifyDevice({ chassisType: 'Tower', battery: { hasBattery: true } }).deviceClass).toBe(
      'desktop',
    );
  });
  it('suggests the modern preset for mini PCs but does not apply it', () => {
    expect(classifyDevice({ chassisType: 'Mini PC' })).toEqual({
      deviceClass: 'desktop',
      suggestModernPreset: true,
    });
  });
  it('falls back to the battery for unknown chassis codes', () => {
    expect(
      classifyDevice({ chassisType: 'Docking Station', battery: { hasBattery: true } }).deviceClass,
    ).toBe('laptop');
    expect(classifyDevice({ chassisType: '' }).deviceClass).toBe('desktop');
  });
});
