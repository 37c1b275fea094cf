import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { UnavailableError } from '../errors/app-error.ts';
import { configSource } from '../config/config-source.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends through Amazon SES (v2) from EMAIL_FROM; without it nothing is sent (links are returned to the caller). */
export interface EmailSender {
  readonly configured: boolean;
  send(message: EmailMessage): Promise<void>;
}

export function createEmailSender(options: {
  from?: string;
  region?: string;
  endpoint?: string;
}): EmailSender {
  const from = options.from;
  if (!from) return { configured: false, send: async () => undefined };
  let client: SESv2Client | undefined;
  return {
    configured: true,
    async send(message) {
      client ??= new SESv2Client({ region: options.region, endpoint: options.endpoint });
      try {
        await client.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [message.to] },
            Content: {
              Simple: {
                Subject: { Data: message.subject, Charset: 'UTF-8' },
                Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
              },
            },
          }),
        );
      } catch (error) {
        throw new UnavailableError('The email could not be sent.', {
          cause: error,
          details: { provider: 'ses' },
        });
      }
    },
  };
}

let processSender: EmailSender | undefined;
export function emailSenderFromEnv(env: Record<string, string | undefined> = configSource()): EmailSender {
  processSender ??= createEmailSender({
    from: env.EMAIL_FROM || undefined,
    region: env.AWS_REGION || undefined,
    endpoint: env.SES_ENDPOINT || undefined,
  });
  return processSender;
}
