import { type CampaignForm, RETRY_LABEL, RETRY_OUTCOMES } from '../lib/campaign-form.ts';
import { ScrollRegion } from './scroll-region.tsx';

/** Retry rules per outcome: attempts in total and minutes between them. */
export function CampaignRetryFields({
  value,
  onChange,
}: {
  value: CampaignForm['retry'];
  onChange: (next: CampaignForm['retry']) => void;
}) {
  const set = (outcome: keyof CampaignForm['retry'], key: 'maxAttempts' | 'delayMinutes', v: string) =>
    onChange({ ...value, [outcome]: { ...value[outcome], [key]: v } });
  return (
    <fieldset className="retry-rules">
      <legend>Retries by outcome</legend>
      <p className="hint">Attempts in total for a contact whose last call ended this way (1: no retry).</p>
      <ScrollRegion label="Retry rules table">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Outcome</th>
              <th scope="col">Attempts</th>
              <th scope="col">Minutes between</th>
            </tr>
          </thead>
          <tbody>
            {RETRY_OUTCOMES.map((outcome) => (
              <tr key={outcome}>
                <th scope="row">{RETRY_LABEL[outcome]}</th>
                <td>
                  <input
                    type="number"
                    min={1}
                    max={10}
                    required
                    aria-label={`${RETRY_LABEL[outcome]}: attempts`}
                    value={value[outcome].maxAttempts}
                    onChange={(e) => set(outcome, 'maxAttempts', e.target.value)}
                  />
                </td>
                <td>
                  <input
                    type="number"
                    min={0}
                    max={43200}
                    required
                    aria-label={`${RETRY_LABEL[outcome]}: minutes between`}
                    value={value[outcome].delayMinutes}
                    onChange={(e) => set(outcome, 'delayMinutes', e.target.value)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </fieldset>
  );
}

/** Campaign-wide `{{name}}` values (a contact's own values win), as name/value rows. */
export function CampaignVariablesFields({
  value,
  placeholders,
  onChange,
}: {
  value: CampaignForm['variables'];
  placeholders: string[];
  onChange: (next: CampaignForm['variables']) => void;
}) {
  const update = (index: number, key: 'name' | 'value', v: string) =>
    onChange(value.map((row, i) => (i === index ? { ...row, [key]: v } : row)));
  return (
    <div className="variables">
      <p className="hint">
        {placeholders.length > 0 ? (
          <>
            The agent uses{' '}
            {placeholders.map((name, i) => (
              <span key={name}>
                {i > 0 && ', '}
                <code>{`{{${name}}}`}</code>
              </span>
            ))}
            . A value here fills it for every contact that brings none.
          </>
        ) : (
          'Values of {{name}} placeholders for every contact; a contact’s own values win.'
        )}
      </p>
      {value.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
        <div className="field-row variable-row" key={index}>
          <div className="field">
            <label htmlFor={`variable-name-${index}`}>Variable {index + 1} name</label>
            <input
              id={`variable-name-${index}`}
              pattern="[A-Za-z_][A-Za-z0-9_]*"
              value={row.name}
              onChange={(e) => update(index, 'name', e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`variable-value-${index}`}>Variable {index + 1} value</label>
            <input
              id={`variable-value-${index}`}
              value={row.value}
              onChange={(e) => update(index, 'value', e.target.value)}
            />
          </div>
          <button
            type="button"
            className="button button-danger"
            aria-label={`Remove variable ${index + 1}`}
            onClick={() => onChange(value.filter((_, i) => i !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() =>
          onChange([
            ...value,
            { name: placeholders.find((p) => !value.some((v) => v.name === p)) ?? '', value: '' },
          ])
        }
      >
        Add variable
      </button>
    </div>
  );
}
