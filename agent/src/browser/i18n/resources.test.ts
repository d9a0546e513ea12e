import { describe, expect, it } from 'vitest';
import { compareResources } from '../../../../test/support/i18n-resources.js';
import cy from './cy.json';
import en from './en.json';

describe('pupil screen translations', () => {
  it('English and Welsh have exactly the same keys, plural forms and {{variables}}', () => {
    expect(compareResources({ en, cy })).toEqual([]);
  });
});
