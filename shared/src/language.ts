import { z } from 'zod';

/** The languages Harbour's screens are written in: English and Welsh (schools in Wales must offer Welsh). */
export const uiLanguages = ['en', 'cy'] as const;
export const uiLanguageSchema = z.enum(uiLanguages);
export type UiLanguage = z.infer<typeof uiLanguageSchema>;
