/**
 * Compares two i18next resource trees (one per language) and lists every difference a
 * translator could leave behind: a key in one language only, a plural key without the
 * forms the language needs (English: one, other; Welsh: zero, one, two, few, many, other,
 * as Intl.PluralRules says), an interpolation variable ({{name}}) or a <tag> of <Trans>
 * in one language only, or an empty string.
 */
type Tree = { [key: string]: string | Tree };

const pluralSuffix = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Tree, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') out.set(path, value);
    else flatten(value, path, out);
  }
  return out;
}

const variables = (text: string) =>
  [...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => `{{${m[1] ?? ''}}}`);
const tags = (text: string) => [...text.matchAll(/<\/?([\w]+)\s*\/?>/g)].map((m) => `<${m[1] ?? ''}>`);

interface Entry {
  forms: Set<string>;
  marks: Set<string>;
}

function entries(tree: Tree, problems: string[], language: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [key, text] of flatten(tree)) {
    const form = pluralSuffix.exec(key)?.[1];
    const base = form ? key.slice(0, -form.length - 1) : key;
    const entry = out.get(base) ?? { forms: new Set<string>(), marks: new Set<string>() };
    entry.forms.add(form ?? '');
    for (const mark of [...variables(text), ...tags(text)]) entry.marks.add(mark);
    out.set(base, entry);
    if (text.trim() === '') problems.push(`${language}: ${key} is empty`);
  }
  return out;
}

export function compareResources(languages: Record<string, Tree>): string[] {
  const problems: string[] = [];
  const byLanguage = Object.entries(languages).map(
    ([language, tree]) => [language, entries(tree, problems, language)] as const,
  );
  const allKeys = new Set(byLanguage.flatMap(([, map]) => [...map.keys()]));
  for (const key of [...allKeys].sort()) {
    const present = byLanguage.filter(([, map]) => map.has(key));
    for (const [language] of byLanguage.filter(([, map]) => !map.has(key))) {
      problems.push(`${language}: missing ${key}`);
    }
    const marks = present.map(([language, map]) => [language, map.get(key)?.marks ?? new Set()] as const);
    const [first] = marks;
    for (const [language, set] of marks.slice(1)) {
      if (!first) break;
      const a = [...first[1]].sort().join(' ');
      const b = [...set].sort().join(' ');
      if (a !== b) problems.push(`${key}: ${first[0]} has [${a}] but ${language} has [${b}]`);
    }
    const plural = present.some(([, map]) => !map.get(key)?.forms.has(''));
    for (const [language, map] of present) {
      const forms = map.get(key)?.forms ?? new Set();
      if (!plural) continue;
      const needed = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      const have = [...forms].sort().join(' ');
      const want = [...needed].sort().join(' ');
      if (have !== want) problems.push(`${language}: ${key} has plural forms [${have}], needs [${want}]`);
    }
  }
  return problems;
}
