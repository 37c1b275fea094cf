import type { CallTelemetry } from '#shared/calls/call-types.ts';
import type { CallOwner } from '#shared/data/call-owners.ts';
import type { ResumeState } from './resume-admission.ts';

/** What the agent says first on a resumed call, so the caller knows to pick up where they were. */
export const RESUME_LINE = 'Sorry, I lost you for a second — you were saying?';

import type { ClientEvent } from '../realtime/realtime-events.ts';

/** The transcript text stored for a tool that was running when the media connection was lost. */
export function interruptedToolText(name: string): string {
  return `${name}() was interrupted: the call's media connection was lost before it returned`;
}

/**
 * The first client events of a resumed model session, after the restored conversation: one system
 * note per tool that was interrupted (the model must not assume it took effect), then the
 * response that says the resume line.
 */
export function resumeOpening(resume: Pick<ResumeState, 'interruptedTools'>): ClientEvent[] {
  const notes: ClientEvent[] = resume.interruptedTools.map((tool) => ({
    type: 'conversation.item.create',
    item: {
      type: 'message',
      role: 'system',
      content: [
        {
          type: 'input_text',
          text: `The tool ${tool.name} was interrupted by a technical problem before it returned a result; it may or may not have taken effect.`,
        },
      ],
    },
  }));
  const toolHint = notes.length
    ? ' Then say in one short sentence that your last action may not have gone through and offer to try it again.'
    : '';
  return [
    ...notes,
    {
      type: 'response.create',
      response: { instructions: `Say exactly: "${RESUME_LINE}"${toolHint}`, tool_choice: 'none' },
    },
  ];
}

/** The call's resume figures for its stored telemetry (nothing when it never resumed). */
export function resumeTelemetry(
  owner: CallOwner | undefined,
): Pick<CallTelemetry, 'resumes' | 'resumeGapsMs'> {
  if (!owner?.resumes) return {};
  return { resumes: owner.resumes, resumeGapsMs: [...(owner.resumeGapsMs ?? [])] };
}
