/**
 * Email through the school's own SMTP server (settings). The message names no pupil and
 * carries nothing from the record: only that a concern is waiting and its reference.
 */
import nodemailer from 'nodemailer';
import type { z } from 'zod';
import type { smtpSettingsSchema } from '@harbour/shared';

export type SmtpSettings = z.output<typeof smtpSettingsSchema>;

export async function sendConcernWaiting(smtp: SmtpSettings, ref: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.username ? { user: smtp.username, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({
      from: smtp.from,
      to: smtp.to,
      subject: 'Harbour: a safeguarding concern is waiting',
      text: [
        'A new safeguarding concern has been recorded in Harbour and is waiting for you.',
        '',
        `Reference: ${ref}`,
        '',
        'Sign in to Harbour to see it. For the pupil’s privacy this email contains no details.',
      ].join('\n'),
    });
  } finally {
    transport.close();
  }
}
