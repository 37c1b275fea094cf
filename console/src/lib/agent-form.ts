import type { AgentRecord, HttpTool } from '../api/types.ts';

/** The agent editor's state: every field as the inputs hold it (strings), converted on save. */
export interface AgentForm {
  name: string;
  instructions: string;
  greeting: string;
  voice: string;
  language: string;
  transferNumber: string;
  webhookUrl: string;
  maxDurationSeconds: string;
  idleTimeoutSeconds: string;
  tools: ToolForm[];
  knowledgeBaseIds: string[];
  /** More numbers a warm transfer may dial, one per line or separated by commas. */
  transferNumbers: string;
  recording: RecordingForm;
  voicemail: VoicemailForm;
}

export type RecordingSettings = NonNullable<AgentRecord['recording']>;

export interface RecordingForm {
  enabled: boolean;
  channels: RecordingSettings['channels'];
  retentionDays: string;
  disclosure: string;
}

/** What an answering machine gets; `''` is no detection (every answer is a person). */
export interface VoicemailForm {
  action: '' | NonNullable<AgentRecord['voicemail']>['action'];
  message: string;
}

/** The retention choices the API accepts (each has its own storage expiry rule). */
export const RETENTION_CHOICES = [
  1, 7, 14, 30, 60, 90, 180, 365, 730, 1095, 1825, 2555,
] as const satisfies readonly RecordingSettings['retentionDays'][];

export interface ToolForm {
  name: string;
  description: string;
  url: string;
  parameters: string;
}

export const EMPTY_TOOL: ToolForm = {
  name: '',
  description: '',
  url: '',
  parameters: '{\n  "type": "object",\n  "properties": {}\n}',
};

export function agentToForm(agent?: AgentRecord & { knowledgeBaseIds?: string[] }): AgentForm {
  return {
    name: agent?.name ?? '',
    instructions: agent?.instructions ?? '',
    greeting: agent?.greeting ?? '',
    voice: agent?.voice ?? 'marin',
    language: agent?.language ?? '',
    transferNumber: agent?.transferNumber ?? '',
    webhookUrl: agent?.webhookUrl ?? '',
    maxDurationSeconds: String(agent?.maxDurationSeconds ?? 1800),
    idleTimeoutSeconds: String(agent?.idleTimeoutSeconds ?? 30),
    tools: (agent?.tools ?? []).map((t) => ({
      name: t.name,
      description: t.description,
      url: t.url,
      parameters: JSON.stringify(t.parameters, null, 2),
    })),
    knowledgeBaseIds: agent?.knowledgeBaseIds ?? [],
    transferNumbers: (agent?.transferNumbers ?? []).join('\n'),
    recording: {
      enabled: agent?.recording?.enabled ?? false,
      channels: agent?.recording?.channels ?? 'dual',
      retentionDays: String(agent?.recording?.retentionDays ?? 30),
      disclosure: agent?.recording?.disclosure ?? '',
    },
    voicemail: { action: agent?.voicemail?.action ?? '', message: agent?.voicemail?.message ?? '' },
  };
}

/** Numbers typed one per line or separated by commas, without spaces and formatting characters. */
export function parseNumberList(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((n) => n.replace(/[\s().-]/g, ''))
    .filter(Boolean);
}

export class AgentFormError extends Error {
  override name = 'AgentFormError';
}

/**
 * The API body of a form. Creating omits empty optional fields; editing sends `null` for a
 * cleared optional field (the PATCH contract: null removes, absent keeps).
 */
export function formToBody(
  form: AgentForm,
  mode: 'create' | 'edit',
  includeKnowledge: boolean,
): Record<string, unknown> {
  const optional = (value: string) => (value.trim() ? value.trim() : mode === 'edit' ? null : undefined);
  const tools: Partial<HttpTool>[] = form.tools.map((tool, index) => {
    let parameters: unknown;
    try {
      parameters = JSON.parse(tool.parameters || '{}');
    } catch {
      throw new AgentFormError(
        `Tool ${index + 1} (${tool.name || 'unnamed'}): parameters are not valid JSON.`,
      );
    }
    if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters)) {
      throw new AgentFormError(
        `Tool ${index + 1} (${tool.name || 'unnamed'}): parameters must be a JSON object.`,
      );
    }
    return {
      type: 'http',
      name: tool.name.trim(),
      description: tool.description.trim(),
      url: tool.url.trim(),
      parameters: parameters as Record<string, unknown>,
    };
  });
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    instructions: form.instructions,
    voice: form.voice,
    greeting: optional(form.greeting),
    language: optional(form.language),
    transferNumber: optional(form.transferNumber),
    webhookUrl: optional(form.webhookUrl),
    maxDurationSeconds: Number(form.maxDurationSeconds),
    idleTimeoutSeconds: Number(form.idleTimeoutSeconds),
    tools,
  };
  if (includeKnowledge) body.knowledgeBaseIds = form.knowledgeBaseIds;
  const numbers = parseNumberList(form.transferNumbers);
  body.transferNumbers = numbers.length ? numbers : mode === 'edit' ? null : undefined;
  // Turning recording off keeps the other choices, so turning it on again restores them.
  body.recording =
    form.recording.enabled || mode === 'edit'
      ? {
          enabled: form.recording.enabled,
          channels: form.recording.channels,
          retentionDays: Number(form.recording.retentionDays),
          ...(form.recording.disclosure.trim() ? { disclosure: form.recording.disclosure.trim() } : {}),
        }
      : undefined;
  if (form.voicemail.action === 'leave_message' && !form.voicemail.message.trim())
    throw new AgentFormError('Voicemail: write the message the agent leaves after the beep.');
  body.voicemail = form.voicemail.action
    ? {
        action: form.voicemail.action,
        ...(form.voicemail.action === 'leave_message' ? { message: form.voicemail.message.trim() } : {}),
      }
    : mode === 'edit'
      ? null
      : undefined;
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}
