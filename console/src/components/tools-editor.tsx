import { EMPTY_TOOL, type ToolForm } from '../lib/agent-form.ts';
import { Field } from './ui.tsx';

/** HTTP tools of an agent: name, what it does (the model reads this), endpoint and JSON Schema parameters. */
export function ToolsEditor({
  tools,
  disabled,
  onChange,
}: {
  tools: ToolForm[];
  disabled: boolean;
  onChange: (tools: ToolForm[]) => void;
}) {
  const update = (index: number, patch: Partial<ToolForm>) =>
    onChange(tools.map((t, i) => (i === index ? { ...t, ...patch } : t)));
  return (
    <div className="tools">
      {tools.length === 0 && (
        <p className="muted small">
          No tools. Tools let the agent call your systems (book, look up, update) during a call.
        </p>
      )}
      {tools.map((tool, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a tool's place in the list is its identity while it is edited (its name may be empty).
        <fieldset key={index} className="tool">
          <legend>Tool {index + 1}</legend>
          <div className="field-row">
            <Field label="Tool name">
              {(p) => (
                <input
                  {...p}
                  required
                  pattern="[a-zA-Z0-9_-]{1,64}"
                  disabled={disabled}
                  value={tool.name}
                  onChange={(e) => update(index, { name: e.target.value })}
                />
              )}
            </Field>
            <Field label="Endpoint URL">
              {(p) => (
                <input
                  {...p}
                  required
                  type="url"
                  disabled={disabled}
                  value={tool.url}
                  onChange={(e) => update(index, { url: e.target.value })}
                />
              )}
            </Field>
          </div>
          <Field label="Description">
            {(p) => (
              <input
                {...p}
                required
                maxLength={1024}
                disabled={disabled}
                value={tool.description}
                onChange={(e) => update(index, { description: e.target.value })}
              />
            )}
          </Field>
          <Field label="Parameters (JSON Schema)">
            {(p) => (
              <textarea
                {...p}
                className="mono"
                rows={5}
                disabled={disabled}
                value={tool.parameters}
                onChange={(e) => update(index, { parameters: e.target.value })}
              />
            )}
          </Field>
          {!disabled && (
            <button
              type="button"
              className="button button-ghost button-small"
              onClick={() => onChange(tools.filter((_, i) => i !== index))}
            >
              Remove tool {index + 1}
            </button>
          )}
        </fieldset>
      ))}
      {!disabled && (
        <button
          type="button"
          className="button button-small"
          onClick={() => onChange([...tools, { ...EMPTY_TOOL }])}
        >
          Add tool
        </button>
      )}
    </div>
  );
}
