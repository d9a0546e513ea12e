import type { EscalationRoute } from '@harbour/shared';

/** Routes worth considering first for a category; the DSL decides. The words are in incidents.guidance.*. */
export function suggestedRoutes(category: string): EscalationRoute[] {
  switch (category) {
    case 'grooming':
    case 'sexting':
      return ['police', 'ceop'];
    case 'extremism':
      return ['prevent_channel'];
    case 'inappropriate_content':
      return ['police', 'iwf'];
    case 'cyberbullying':
    case 'social_networking':
      return ['senior_leaders'];
    default:
      return ['dsl_decision'];
  }
}
