import { notifications } from "@mantine/notifications";

import i18n from "./i18n";

/** A short confirmation or failure in the corner; its close button is labelled. */
export function notify(message: string, color: "teal" | "red" = "teal") {
  notifications.show({ message, color, closeButtonProps: { "aria-label": i18n.t("common.close") } });
}
