import type { EscalationRoute } from '@harbour/shared';

/** When each route applies, in the words of the schools' policies (see docs/incidents.md). */
export const routeGuidance: Record<EscalationRoute, string> = {
  dsl_decision:
    'Child protection concerns come to the DSL at once; the DSL, not the class teacher, decides what happens next.',
  senior_leaders:
    'Incidents that need intervention but are not child protection (for example cyberbullying) go to senior leaders the same day.',
  headteacher: 'Allegations against a member of staff go to the headteacher.',
  lado: 'If abuse by a member of staff is alleged, the headteacher involves the local authority designated officer (LADO).',
  police:
    'Illegal material (child abuse images, criminally racist material, terrorism, grooming) goes to the police. For a suspected child abuse image: stop, do not open, copy or forward it, and leave the computer as it is.',
  iwf: 'Illegal images found online can be reported to the Internet Watch Foundation.',
  ceop: 'Online grooming or sexual exploitation can be reported to CEOP.',
  prevent_channel:
    'Concerns about extremism or radicalisation: the DSL decides whether to make a Prevent referral (Channel).',
};

/** Routes worth considering first for a category; the DSL decides. */
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
