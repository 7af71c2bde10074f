import { describe, expect, it } from 'vitest';
import {
  describePolicy,
  formatEur,
  formatKwh,
  formatMinutes,
  LANGUAGES,
  laptopCharges,
  MESSAGES,
  type Messages,
  type NudgeContent,
  renderNudge,
} from './index.js';

/** Every string leaf of a catalog, with functions called on sample arguments. */
function allTexts(m: Messages): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'function') {
      for (const args of [
        ['laptop', 2, 3, 4],
        ['room', 'laptop', 3.2, 64],
        [70, true, 1.2],
        ['sleep', '17:00'],
      ]) {
        try {
          visit((v as (...a: unknown[]) => unknown)(...args));
        } catch {
          // not every sample fits every function
        }
      }
    } else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(m);
  return out;
}

describe('pupil texts', () => {
  it('never use an exclamation mark in either language', () => {
    for (const lang of LANGUAGES) {
      const texts = allTexts(MESSAGES[lang]);
      expect(texts.length).toBeGreaterThan(40);
      for (const t of texts) expect(t, `${lang}: ${t}`).not.toContain('!');
    }
  });

  it('say the sleep warning exactly as docs/wording.md does', () => {
    const content: NudgeContent = { kind: 'sleepSoon', noun: 'laptop', minutes: 2 };
    expect(renderNudge(content, 'nl').body).toBe(
      'Deze laptop gaat over 2 minuten in slaapstand. Beweeg de muis om verder te werken.',
    );
    expect(renderNudge(content, 'en').body).toBe(
      'This laptop will go to sleep in 2 minutes. Move the mouse to keep working.',
    );
    expect(renderNudge({ ...content, minutes: 1 }, 'nl').body).toContain('over 1 minuut in');
  });

  it('phrase the weekly result as in docs/wording.md, with Dutch number formats', () => {
    const body = renderNudge({ kind: 'weekly', scope: 'room', noun: 'laptop', kwh: 3.2, charges: 64 }, 'nl');
    expect(body.body).toBe(
      'Jullie lokaal bespaarde deze week 3,2 kWh — genoeg om een laptop ruim 64 keer op te laden.',
    );
  });

  it('format money and energy in nl-NL and en-GB', () => {
    expect(formatEur('nl', 12.5)).toBe('€ 12,50');
    expect(formatEur('en', 12.5)).toBe('€12.50');
    expect(formatKwh('nl', 1234.5)).toBe('1.235 kWh');
    expect(formatKwh('nl', 0.07)).toBe('0,07 kWh');
    expect(formatMinutes('nl', 90)).toBe('1 uur en 30 minuten');
    expect(formatMinutes('en', 60)).toBe('1 hour');
  });

  it('count laptop charges with a 50 Wh battery, rounded down', () => {
    expect(laptopCharges(3.2)).toBe(64);
    expect(laptopCharges(3.04)).toBe(60);
    expect(laptopCharges(3.049)).toBe(60);
    expect(laptopCharges(0.049)).toBe(0);
    expect(laptopCharges(0.15)).toBe(3);
  });
});

describe('the policy in plain words', () => {
  it('reads like the issue example', () => {
    const policy = { sleepAfterSec: { ac: 900, battery: 900 }, brightnessCapPct: { battery: 70 } };
    expect(describePolicy(policy, 'nl', 'computer')).toBe(
      'Deze computer gaat na 15 minuten zonder gebruik in slaapstand; het scherm is op accu beperkt tot 70 %.',
    );
    expect(describePolicy(policy, 'en', 'computer')).toBe(
      'This computer goes to sleep after 15 minutes without use; on battery the screen is limited to 70%.',
    );
  });

  it('names different timeouts per power source and the after-school action', () => {
    const text = describePolicy(
      {
        sleepAfterSec: { ac: 1800, battery: 600 },
        outsideSchoolHours: { action: 'shutdown', actionAt: '18:00' },
      },
      'nl',
      'laptop',
    );
    expect(text).toBe(
      'Deze laptop gaat na 30 minuten zonder gebruik in slaapstand (op accu na 10 minuten); na schooltijd gaat hij om 18:00 uit.',
    );
  });

  it('says plainly when Sluimer only measures', () => {
    expect(describePolicy({ auditOnly: true }, 'nl', 'laptop')).toMatch(/meet alleen/);
    expect(describePolicy({ excludedReason: 'kiosk' }, 'en', 'computer')).toMatch(/excluded/);
    expect(describePolicy(null, 'nl', 'laptop')).toMatch(/nog geen energiebeleid/);
  });
});
