import { language } from "../lib/i18n";

/**
 * The server's words in the dashboard's language: German from `table` when
 * the dashboard speaks German and knows the code, else the server's own.
 */
export function serverWords(table: Readonly<Record<string, string>>, code: string, serverText: string): string {
  return (language() === "de" && table[code]) || serverText;
}

/**
 * German words for the server's problem codes. The API speaks English (its
 * `detail` is for integrators too); the German dashboard shows these instead
 * where it knows the code, and the server's `detail` where it does not.
 */
export const PROBLEMS_DE: Readonly<Record<string, string>> = {
  validation_failed: "Einige Angaben sind ungültig.",
  malformed_request: "Die Anfrage konnte nicht gelesen werden.",
  unauthorized: "Bitte erneut anmelden.",
  not_found: "Das gibt es nicht (mehr).",
  method_not_allowed: "Diese Aktion ist hier nicht möglich.",
  payload_too_large: "Die Angaben sind zu groß.",
  rate_limited: "Zu viele Versuche. Bitte kurz warten und dann erneut versuchen.",
  service_unavailable: "Der Dienst ist gerade nicht erreichbar. Bitte gleich erneut versuchen.",
  internal_error: "Bei uns ist etwas schiefgegangen. Der Fehler wurde protokolliert.",
  owner_only: "Das darf nur der Inhaber des Shops.",
  user_only: "Das geht nur angemeldet, nicht mit einem API-Schlüssel.",
  insufficient_scope: "Dieser API-Schlüssel darf nur lesen.",
  email_taken: "Mit dieser E-Mail-Adresse gibt es schon ein Konto.",
  sku_taken: "Ein anderer Artikel des Shops hat diese Artikelnummer.",
  too_many_files: "Ein Artikel kann nicht mehr Dateien haben.",
  file_missing: "Die Datei liegt nicht mehr im Speicherordner.",
  too_many_connections: "Der Shop hat schon die größtmögliche Zahl an Speicherverbindungen.",
  connection_in_use: "Mit dieser Verbindung sind noch Dateien verknüpft; zuerst die Verknüpfungen lösen.",
  storage_unavailable: "Der Speicher konnte nicht genutzt werden. Bitte die Verbindung testen.",
  invalid_transition: "Dieser Statuswechsel ist nicht möglich.",
  status_changed_concurrently: "Der Status wurde gerade gleichzeitig geändert; bitte neu laden und erneut versuchen.",
  idempotency_key_reused: "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet.",
  order_locked: "Eine stornierte oder erstattete Bestellung bekommt keine neue Rechnung.",
  no_invoice: "Die Bestellung hat keine Rechnung, die storniert werden könnte.",
  invoice_settings_incomplete: "Bitte zuerst die Rechnungseinstellungen vervollständigen (Firma und Anschrift).",
  invoice_number_taken: "Die nächste Nummer dieses Formats wurde schon vergeben; bitte ein anderes Präfix wählen.",
  too_many_api_keys: "Der Shop hat schon die größtmögliche Zahl an API-Schlüsseln; zuerst einen widerrufen.",
  template_exists: "Es gibt schon eine Vorlage mit diesem Namen und dieser Sprache.",
  channel_exists: "Es gibt schon einen Kanal mit diesem Namen.",
};

/** German words for a storage connection test, by its result code (`ok` when it works). */
export const STORAGE_TESTS_DE: Readonly<Record<string, string>> = {
  ok: "Die Verbindung funktioniert, der Speicherordner lässt sich lesen.",
  bad_credentials: "Die Verbindung funktioniert nicht: Zugangsschlüssel oder Geheimnis sind falsch.",
  no_such_bucket: "Die Verbindung funktioniert nicht: Diesen Bucket gibt es nicht.",
  access_denied: "Die Verbindung funktioniert nicht: Die Zugangsdaten dürfen diesen Bucket oder Ordner nicht lesen.",
  unreachable: "Die Verbindung funktioniert nicht: Der Speicher-Endpunkt ist nicht erreichbar.",
  storage_error: "Die Verbindung funktioniert nicht: Der Speicher hat mit einem Fehler geantwortet.",
};
