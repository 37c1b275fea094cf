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
}

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
  };
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
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}
