/**
 * Words for the values Harbour stores as ids ("unsorted", "ks1", "Y4"): translated when
 * Harbour knows the id, else the label the school gave it, never the raw id when a label exists.
 */
import type { TFunction } from 'i18next';

/** An incident category: Harbour's own ones translated, the school's own by their label. */
export function categoryLabel(t: TFunction, id: string, schoolLabel?: string | null): string {
  const key = `enums.incidentCategory.${id}` as const;
  // A school that renamed one of Harbour's categories keeps its own name.
  const builtIn = t(key as 'enums.incidentCategory.other', { defaultValue: '' });
  const englishDefault = t(key as 'enums.incidentCategory.other', { lng: 'en', defaultValue: '' });
  if (schoolLabel && schoolLabel !== englishDefault) return schoolLabel;
  if (builtIn !== '') return builtIn;
  return schoolLabel ?? humanise(id);
}

/** An AUP audience: Harbour's sample audiences translated, the school's own by name. */
export function audienceLabel(t: TFunction, id: string | null, schoolName?: string | null): string {
  if (id === null) return t('common.dash');
  const key = `enums.audience.${id}` as const;
  const english = t(key as 'enums.audience.ks1', { lng: 'en', defaultValue: '' });
  if (schoolName && schoolName !== english) return schoolName;
  const builtIn = t(key as 'enums.audience.ks1', { defaultValue: '' });
  return builtIn !== '' ? builtIn : (schoolName ?? humanise(id));
}

export function audienceDescription(t: TFunction, id: string, schoolText: string): string {
  const key = `enums.audienceDescription.${id}` as const;
  const english = t(key as 'enums.audienceDescription.ks1', { lng: 'en', defaultValue: '' });
  if (schoolText !== english) return schoolText;
  return t(key as 'enums.audienceDescription.ks1', { defaultValue: schoolText });
}

export function yearGroupLabel(t: TFunction, id: string): string {
  return t(`enums.yearGroup.${id}` as 'enums.yearGroup.N', { defaultValue: id });
}

/** A class's year group: a mixed-age class (no single year) says so rather than "not recorded". */
export function classYearLabel(t: TFunction, id: string): string {
  return id === 'unknown' ? t('classes.mixedYears') : yearGroupLabel(t, id);
}

/** A login nobody on the roster has, the same words wherever it shows: "jdoe (not on the roster)". */
export function unknownLoginLabel(t: TFunction, login: string): string {
  return t('person.unknownLogin', { login });
}

/** "lost_equipment" as "Lost equipment", for an id nobody gave a label. */
export function humanise(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
