import { useId, useState } from 'react';
import { useI18n } from '../lib/i18n.js';

/** An "i" that explains a number in one sentence: on hover, on keyboard focus and on tap. */
export function Explain({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <span className={`explain${open ? ' open' : ''}`}>
      <button
        type="button"
        className="explain-btn"
        aria-label={`${t('common.explain')}${label ? `: ${label}` : ''}`}
        aria-describedby={id}
        aria-expanded={open}
        onClick={(e) => {
          e.stopPropagation();
          setOpen((o) => !o);
        }}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOpen(false);
        }}
      >
        i
      </button>
      <span role="tooltip" id={id} className="explain-pop">
        {text}
      </span>
    </span>
  );
}
