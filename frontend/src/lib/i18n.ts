import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";

import { de } from "../locales/de";
import { en } from "../locales/en";

// German for a German browser, English otherwise; the choice is remembered.
void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { de: { translation: de }, en: { translation: en } },
    supportedLngs: ["de", "en"],
    nonExplicitSupportedLngs: true,
    fallbackLng: "en",
    detection: { order: ["localStorage", "navigator"], lookupLocalStorage: "delivery.language", caches: ["localStorage"] },
    interpolation: { escapeValue: false },
  });

// The page's language follows the UI's, for screen readers and the browser's
// own features (hyphenation, translation offers).
const markPage = (lng: string) => {
  if (typeof document !== "undefined") document.documentElement.lang = lng.startsWith("de") ? "de" : "en";
};
i18n.on("languageChanged", markPage);
markPage(i18n.resolvedLanguage ?? i18n.language ?? "en");

export default i18n;

/** The active language, reduced to `de` or `en`. */
export function language(): "de" | "en" {
  return i18n.resolvedLanguage === "de" ? "de" : "en";
}
