import { useTranslation } from 'react-i18next';
import { can, type SafeguardingSettings } from '@harbour/shared';
import { useUser } from '../auth';
import { categoryLabel } from '../labels';
import { useLoad } from './useLoad';

/**
 * The school's incident categories (the DSL may read them) and a function naming one:
 * Harbour's own categories are translated; a teacher, who cannot read the settings, still
 * sees words, never an id such as "unsorted".
 */
export function useCategories() {
  const { t } = useTranslation();
  const user = useUser();
  const settings = useLoad<SafeguardingSettings>(
    can(user.role, 'manageIncidents') ? '/api/safeguarding/settings' : null,
  );
  const list = settings.data?.categories ?? null;
  const label = (id: string) => categoryLabel(t, id, list?.find((c) => c.id === id)?.label);
  return { list, label };
}

/** The categories a concern can be recorded under now: the school's own, retired ones left out. */
export function useActiveCategories(): { id: string; label: string }[] | null {
  const { t } = useTranslation();
  const active = useLoad<{ categories: { id: string; label: string }[] }>('/api/incidents/categories');
  return active.data?.categories.map((c) => ({ id: c.id, label: categoryLabel(t, c.id, c.label) })) ?? null;
}
