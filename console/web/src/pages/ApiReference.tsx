import { ErrorBox } from '../components/Tile.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { useTitle } from '../lib/router.js';

/** the parts of the OpenAPI document (GET /api/v1/openapi.json) this page reads */
interface Operation {
  summary?: string;
  tags?: string[];
  'x-sluimer-access'?: string | string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDoc {
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * API-referentie: the console's OpenAPI document as a page, for school IT that scripts against the
 * API with a token. Rendered from the document the console serves (no external viewer, no network).
 */
export function ApiReferencePage() {
  const { t } = useI18n();
  useTitle(t('apiref.title'));
  const doc = useApi<OpenApiDoc>('/api/v1/openapi.json');
  const ops = doc.data
    ? Object.entries(doc.data.paths).flatMap(([path, item]) =>
        METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m]! })),
      )
    : [];
  const tags = [...new Set(ops.map((o) => o.op.tags?.[0] ?? ''))];
  return (
    <main id="main" className="page" data-testid="api-reference">
      <h1>{t('apiref.title')}</h1>
      <p className="help">{t('apiref.explain')}</p>
      <p>
        <a href="/api/v1/openapi.json" download="sluimer-openapi.json">
          {t('apiref.download')}
        </a>
      </p>
      {doc.error && (
        <ErrorBox message={errorMessage(doc.error, t)} onRetry={doc.reload} retryLabel={t('common.retry')} />
      )}
      {doc.loading && !doc.data && <p aria-busy="true">{t('common.loading')}</p>}
      {tags.map((tag) => (
        <section key={tag} className="card" aria-labelledby={`api-${tag}`}>
          <h2 id={`api-${tag}`}>{tag}</h2>
          {ops
            .filter((o) => (o.op.tags?.[0] ?? '') === tag)
            .map(({ path, method, op }) => (
              <details key={`${method} ${path}`} data-testid="api-operation">
                <summary>
                  <code>
                    {method.toUpperCase()} {path}
                  </code>{' '}
                  — {op.summary}
                </summary>
                <dl className="facts">
                  <dt>{t('apiref.access')}</dt>
                  <dd>{accessText(op['x-sluimer-access'], t)}</dd>
                  {op.parameters?.length ? (
                    <>
                      <dt>{t('apiref.parameters')}</dt>
                      <dd>
                        <ul>
                          {op.parameters.map((p) => (
                            <li key={`${p.in}-${p.name}`}>
                              <code>{p.name}</code> ({p.in}
                              {p.required ? `, ${t('apiref.required')}` : ''}): <code>{brief(p.schema)}</code>
                            </li>
                          ))}
                        </ul>
                      </dd>
                    </>
                  ) : null}
                </dl>
                {op.requestBody && (
                  <>
                    <h3>{t('apiref.body')}</h3>
                    <pre>{json(op.requestBody.content?.['application/json']?.schema)}</pre>
                  </>
                )}
                {Object.entries(op.responses ?? {}).map(([status, r]) => {
                  const content = r.content && Object.entries(r.content)[0];
                  return (
                    <div key={status}>
                      <h3>
                        {status === 'default' ? t('apiref.error') : `${t('apiref.response')} ${status}`}
                        {content ? ` (${content[0]})` : ''}
                      </h3>
                      {content?.[1].schema !== undefined ? <pre>{json(content[1].schema)}</pre> : null}
                    </div>
                  );
                })}
              </details>
            ))}
        </section>
      ))}
      {doc.data?.components?.schemas && (
        <section className="card" aria-labelledby="api-schemas">
          <h2 id="api-schemas">{t('apiref.schemas')}</h2>
          {Object.entries(doc.data.components.schemas).map(([name, schema]) => (
            <details key={name} id={`schema-${name}`}>
              <summary>
                <code>{name}</code>
              </summary>
              <pre>{json(schema)}</pre>
            </details>
          ))}
        </section>
      )}
    </main>
  );
}

function accessText(access: string | string[] | undefined, t: (k: MessageKey) => string): string {
  if (access === undefined) return '—';
  if (access === 'public') return t('apiref.public');
  if (access === 'agent') return t('apiref.agent');
  return [access]
    .flat()
    .map((r) => t(`role.${r}` as MessageKey))
    .join(', ');
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** a parameter's type in a few characters: `integer`, `"a" | "b"` */
function brief(schema: unknown): string {
  const s = (schema ?? {}) as { type?: string; enum?: unknown[] };
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  return s.type ?? json(schema);
}
