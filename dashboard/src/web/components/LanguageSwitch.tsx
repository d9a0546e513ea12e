import { useTranslation } from 'react-i18next';
import { chooseAndRemember, currentLanguage, languageNames, languages, locales } from '../i18n';

/** English | Cymraeg. The choice is remembered on this browser and wins over the school's default. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const current = currentLanguage();
  return (
    <div className="language-switch" role="group" aria-label={t('language.switch')}>
      {languages.map((language) => (
        <button
          key={language}
          type="button"
          lang={locales[language]}
          className="language-option"
          aria-pressed={language === current}
          onClick={() => chooseAndRemember(language)}
        >
          {languageNames[language]}
        </button>
      ))}
    </div>
  );
}
