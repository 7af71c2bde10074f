import { ErrorCode, type PolicyStatusFrame } from '@sluimer/shared';

/**
 * The extension's answer to a policy (welcome or policy frame). It applies no setting itself: on a
 * Chromebook ChromeOS takes its idle and power settings from Google Admin, so it says exactly that
 * (`applied.enforcedBy`, docs/api.md) and the console shows the device as enforced by Google Admin
 * instead of waiting forever; the group's Google Admin panel checks the measured behaviour. A
 * Chrome browser elsewhere (Windows, macOS, Linux) gets no power settings from Google Admin at all:
 * it reports the policy as not applied, with the reason, so nobody takes it for enforced.
 */
export function policyStatusFrame(platformOs: string, etag: string): PolicyStatusFrame {
  if (platformOs === 'cros') {
    return { type: 'policy_status', etag, ok: true, applied: { enforcedBy: 'google-admin' }, errors: [] };
  }
  return {
    type: 'policy_status',
    etag,
    ok: false,
    applied: {},
    errors: [
      {
        code: ErrorCode.Unsupported,
        message:
          'Deze Chrome-browser zet geen slaap- of schermtijden; installeer de Sluimer-agent op dit apparaat. / This Chrome browser applies no sleep or screen timeouts; install the Sluimer agent on this device.',
      },
    ],
  };
}
