import type { Texts } from "./en";

/** German texts of the customer portal. */
export const de: Texts = {
  languageName: "Deutsch",
  loading: "Ihre Downloads werden geladen…",
  orderNumber: "Bestellung {number}",
  orderedOn: "bestellt am {date}",
  download: "Herunterladen",
  downloading: "Wird vorbereitet…",
  size: "{size}",
  left: "Noch {left} von {max} Downloads",
  unlimited: "Unbegrenzte Downloads",
  until: "Verfügbar bis {date}",
  noEnd: "Ohne Ablaufdatum",
  noFiles: "Zu diesem Artikel gibt es keine Dateien.",
  invoice: "Rechnung herunterladen",
  contactTitle: "Fragen? Schreiben Sie dem Verkäufer",
  yourEmail: "Ihre E-Mail-Adresse",
  message: "Ihre Nachricht",
  send: "Nachricht senden",
  sending: "Wird gesendet…",
  sent: "Vielen Dank! Ihre Nachricht wurde an den Verkäufer gesendet.",
  supportSeller: "Support des Verkäufers: {email}",
  supportOperator: "Support der Plattform (falls der Verkäufer nicht antwortet): {email}",
  reasons: {
    download_limit_reached:
      "Sie haben alle erlaubten Downloads dieser Datei genutzt. Bitte schreiben Sie dem Verkäufer, wenn Sie weitere benötigen.",
    download_expired: "Der Download-Zeitraum für diese Datei ist am {date} abgelaufen.",
    order_not_paid:
      "Ihre Bestellung ist noch nicht bezahlt. Die Downloads werden freigeschaltet, sobald die Zahlung eingegangen ist.",
    order_locked: "Diese Bestellung wurde storniert oder erstattet; die Downloads sind gesperrt.",
    file_missing:
      "Diese Datei ist vorübergehend nicht verfügbar. Bitte versuchen Sie es später erneut oder schreiben Sie dem Verkäufer.",
    portal_disabled: "Die Download-Seite ist derzeit nicht verfügbar.",
    not_found:
      "Dieser Link ist unbekannt oder wurde ersetzt. Bitte verwenden Sie den neuesten Link aus Ihrer E-Mail oder bitten Sie den Verkäufer um einen neuen.",
    rate_limited: "Zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es erneut.",
    validation_failed: "Bitte prüfen Sie Ihre Eingabe.",
    generic: "Etwas ist schiefgelaufen. Bitte versuchen Sie es gleich noch einmal.",
  },
};
