// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../lib/i18n.js';
import { PolicyEditor } from './PolicyEditor.js';

afterEach(cleanup);

function setup(props: Partial<Parameters<typeof PolicyEditor>[0]> = {}) {
  const onSave = vi.fn(async () => {});
  const utils = render(
    <I18nProvider lang="nl">
      <PolicyEditor onSave={onSave} {...props} />
    </I18nProvider>,
  );
  const input = (name: string) => utils.container.querySelector(`input[name="${name}"]`) as HTMLInputElement;
  return { ...utils, onSave, input };
}

describe('policy editor', () => {
  it('shows every field with its bounds and explanation', () => {
    const { input } = setup();
    expect(input('sleepAfterSec.ac')).toBeTruthy();
    expect(input('brightnessCapPct.battery')).toBeTruthy();
    expect(screen.getAllByText('Minuten zonder gebruik waarna het apparaat in slaapstand gaat.').length).toBe(
      2,
    );
    expect(screen.getAllByText('(5–240 min)').length).toBeGreaterThan(0);
  });

  it('does not save an out-of-bounds value and says what is allowed', async () => {
    const { input, onSave } = setup();
    fireEvent.change(input('policyName'), { target: { value: 'Test' } });
    fireEvent.change(input('sleepAfterSec.ac'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Opslaan' }));
    await screen.findByText('Kies een heel getal van 5 tot en met 240 minuten');
    expect(screen.getByRole('alert').textContent).toContain('Controleer de gemarkeerde velden');
    expect(input('sleepAfterSec.ac').getAttribute('aria-invalid')).toBe('true');
    expect(onSave).not.toHaveBeenCalled();
  });

  it('asks for a name', async () => {
    const { onSave } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Opslaan' }));
    await screen.findByText('Geef het energiebeleid een naam');
    expect(onSave).not.toHaveBeenCalled();
  });

  it('saves valid settings in seconds', async () => {
    const { input, onSave } = setup();
    fireEvent.change(input('policyName'), { target: { value: 'Na schooltijd' } });
    fireEvent.change(input('sleepAfterSec.ac'), { target: { value: '30' } });
    fireEvent.change(input('brightnessCapPct.battery'), { target: { value: '70' } });
    fireEvent.click(screen.getByRole('button', { name: 'Opslaan' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave).toHaveBeenCalledWith({
      name: 'Na schooltijd',
      description: '',
      settings: { auditOnly: false, sleepAfterSec: { ac: 1800 }, brightnessCapPct: { battery: 70 } },
    });
  });

  it('is read-only for a viewer: inputs disabled, no save button', () => {
    const { input } = setup({
      readOnly: true,
      initial: { name: 'X', settings: { sleepAfterSec: { ac: 600 } } },
    });
    expect(input('sleepAfterSec.ac').disabled).toBe(true);
    expect(input('sleepAfterSec.ac').value).toBe('10');
    expect(screen.queryByRole('button', { name: 'Opslaan' })).toBeNull();
  });
});
