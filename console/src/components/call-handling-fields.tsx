import type { RecordingForm, VoicemailForm } from '../lib/agent-form.ts';
import { RETENTION_CHOICES } from '../lib/agent-form.ts';
import { Card, Field } from './ui.tsx';

/** Recording of the agent's calls: on or off, channels, how long files are kept, the disclosure. */
export function RecordingFields({
  value,
  disabled,
  onChange,
}: {
  value: RecordingForm;
  disabled: boolean;
  onChange: (next: RecordingForm) => void;
}) {
  const set = <K extends keyof RecordingForm>(key: K, v: RecordingForm[K]) =>
    onChange({ ...value, [key]: v });
  return (
    <Card title="Recording">
      <label className="check">
        <input
          type="checkbox"
          name="recordingEnabled"
          disabled={disabled}
          checked={value.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
        />
        Record this agent’s calls
      </label>
      {value.enabled && (
        <>
          <div className="field-row check-follow">
            <Field label="Channels" hint="Two channels: the caller on the left, the agent on the right.">
              {(p) => (
                <select
                  {...p}
                  disabled={disabled}
                  value={value.channels}
                  onChange={(e) => set('channels', e.target.value as RecordingForm['channels'])}
                >
                  <option value="dual">Two channels</option>
                  <option value="mono">One channel, mixed</option>
                </select>
              )}
            </Field>
            <Field label="Keep recordings for">
              {(p) => (
                <select
                  {...p}
                  disabled={disabled}
                  value={value.retentionDays}
                  onChange={(e) => set('retentionDays', e.target.value)}
                >
                  {RETENTION_CHOICES.map((days) => (
                    <option key={days} value={String(days)}>
                      {days === 1 ? '1 day' : days % 365 === 0 ? `${days / 365} years` : `${days} days`}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <Field
            label="Disclosure"
            hint="Said word for word before the greeting, e.g. “This call is recorded.”"
          >
            {(p) => (
              <input
                {...p}
                maxLength={500}
                disabled={disabled}
                value={value.disclosure}
                onChange={(e) => set('disclosure', e.target.value)}
              />
            )}
          </Field>
        </>
      )}
    </Card>
  );
}

/** Answering-machine detection on outbound calls, and what a machine gets. */
export function VoicemailFields({
  value,
  disabled,
  onChange,
}: {
  value: VoicemailForm;
  disabled: boolean;
  onChange: (next: VoicemailForm) => void;
}) {
  return (
    <Card title="Voicemail">
      <Field
        label="When a machine answers an outbound call"
        hint="Detection holds the greeting until the provider says who answered."
      >
        {(p) => (
          <select
            {...p}
            disabled={disabled}
            value={value.action}
            onChange={(e) => onChange({ ...value, action: e.target.value as VoicemailForm['action'] })}
          >
            <option value="">Don’t detect machines (greet at once)</option>
            <option value="leave_message">Leave a message after the beep</option>
            <option value="hangup">Hang up</option>
          </select>
        )}
      </Field>
      {value.action === 'leave_message' && (
        <Field label="Message" hint="Said in the agent’s voice, then the call ends.">
          {(p) => (
            <textarea
              {...p}
              rows={3}
              maxLength={1000}
              required
              disabled={disabled}
              value={value.message}
              onChange={(e) => onChange({ ...value, message: e.target.value })}
            />
          )}
        </Field>
      )}
    </Card>
  );
}
