import type { ReactNode } from 'react';
import { Explain } from './Explain.js';

/** One headline number with its label and the one-sentence explanation. */
export function Tile(props: {
  label: string;
  value: ReactNode;
  sub?: ReactNode;
  explain: string;
  testId?: string;
  tone?: 'waste' | 'plain';
}) {
  return (
    <div className={`tile tile-${props.tone ?? 'plain'}`} data-testid={props.testId}>
      <div className="tile-label">
        {props.label} <Explain text={props.explain} label={props.label} />
      </div>
      <div className="tile-value">
        {typeof props.value === 'string' ? <NumberWithUnit text={props.value} /> : props.value}
      </div>
      {props.sub && <div className="tile-sub">{props.sub}</div>}
    </div>
  );
}

export function ErrorBox({
  message,
  onRetry,
  retryLabel,
}: {
  message: string;
  onRetry?: () => void;
  retryLabel?: string;
}) {
  return (
    <div className="error-box" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="btn-small" onClick={onRetry}>
          {retryLabel}
        </button>
      )}
    </div>
  );
}

/** "0,22 kg CO2e" → the number large and the unit smaller, so a narrow tile never breaks the unit. */
function NumberWithUnit({ text }: { text: string }) {
  const m = text.match(/^([-\d.,]+)\u00a0(.+)$/);
  if (!m) return <>{text}</>;
  return (
    <>
      {m[1]}
      <span className="unit">{` ${m[2]!.replace(/\u00a0/g, ' ')}`}</span>
    </>
  );
}
