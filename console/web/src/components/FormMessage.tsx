/** What a form's last save said: a green confirmation or a red message saying what to fix. */
export interface FormMessageValue {
  ok: boolean;
  text: string;
}

/**
 * The line under a form after a save. `role="status"` so a screen reader reads it without moving the
 * focus; `alertOnError` makes a failure an alert instead, for forms whose errors must interrupt.
 */
export function FormMessage({
  msg,
  alertOnError = false,
}: {
  msg?: FormMessageValue;
  alertOnError?: boolean;
}) {
  if (!msg) return null;
  return (
    <p role={!msg.ok && alertOnError ? 'alert' : 'status'} className={msg.ok ? 'ok' : 'error-box'}>
      {msg.text}
    </p>
  );
}
