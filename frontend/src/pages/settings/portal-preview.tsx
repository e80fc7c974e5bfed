import { useEffect, useRef, useState } from "react";
import { Stack, Text } from "@mantine/core";
import { useWatch, type Control } from "react-hook-form";
import { useTranslation } from "react-i18next";

import type { components } from "../../lib/api/schema";
import { language } from "../../lib/i18n";
import { PREVIEW_READY, PREVIEW_VIEW } from "../../portal/preview-protocol";
import type { PortalFormValues } from "./portal";

type PortalView = components["schemas"]["PortalView"];

const DAY = 24 * 3600 * 1000;
const FALLBACK_ACCENT = "#2f6f4f";

/**
 * A paid sample order as the customer's portal would show it under these
 * settings: the shop's look and texts, a file with the default downloads and
 * days, the invoice button and the contact form when they are on.
 */
export function sampleView(v: Partial<PortalFormValues>, shopName: string, lng: "de" | "en", now = new Date()): PortalView {
  const limit = typeof v.default_download_limit === "number" ? v.default_download_limit : null;
  const days = typeof v.validity_days === "number" ? v.validity_days : null;
  const enabled = v.enabled ?? true;
  return {
    shop: {
      name: shopName,
      title: v.title?.trim() || shopName,
      logo_url: v.logo_url?.trim().startsWith("https://") ? v.logo_url.trim() : null,
      accent_color: /^#[0-9a-fA-F]{6}$/.test(v.accent_color ?? "") ? v.accent_color! : FALLBACK_ACCENT,
      welcome_text: v.welcome_text ?? "",
      footer_text: v.footer_text ?? "",
      support_email: v.support_email?.trim() || null,
      operator_support_email: null,
    },
    order: {
      number: 1001,
      created_at: now.toISOString(),
      paid_at: now.toISOString(),
      status: "paid",
      currency: "EUR",
      total_gross: "19.99",
      customer_name: "Erika Mustermann",
      customer_email: "erika@example.com",
      language: lng,
      items: [
        {
          title: lng === "de" ? "Übungsbuch für Anfänger" : "Workbook for beginners",
          quantity: 1,
          files: [
            {
              grant_id: "sample",
              name: "Übung für Anfänger – Teil 1.pdf",
              size: 2_400_000,
              max_downloads: limit,
              downloads_left: limit,
              expires_at: days === null ? null : new Date(now.getTime() + days * DAY).toISOString(),
              available: enabled,
              reason: enabled ? null : "portal_disabled",
            },
          ],
        },
      ],
    },
    order_state: enabled ? null : "portal_disabled",
    invoice_available: v.invoice_download ?? false,
    contact_form: v.contact_form ?? false,
  };
}

/**
 * The customer's real portal page in a frame beside the form, fed the sample
 * order as the form stands, so the preview is what customers get (logo,
 * colours, texts, states), not an imitation of it.
 */
export function PortalPreviewFrame({ control, shopName }: { control: Control<PortalFormValues>; shopName: string }) {
  const { t } = useTranslation();
  const frame = useRef<HTMLIFrameElement>(null);
  const values = useWatch({ control });
  const lng = language();
  // One moment for the sample order, so its dates only change with the form.
  const [now] = useState(() => new Date());
  const view = sampleView(values, shopName, lng, now);
  const message = JSON.stringify(view);

  useEffect(() => {
    const send = () => frame.current?.contentWindow?.postMessage({ type: PREVIEW_VIEW, view: JSON.parse(message) }, window.location.origin);
    send();
    // The frame asks once it has loaded; until then a message would be lost.
    const ready = (event: MessageEvent) => {
      if (event.origin === window.location.origin && event.source === frame.current?.contentWindow && event.data?.type === PREVIEW_READY) send();
    };
    window.addEventListener("message", ready);
    return () => window.removeEventListener("message", ready);
  }, [message]);

  return (
    <Stack gap="xs" style={{ position: "sticky", top: 72 }}>
      <Text size="sm" fw={600}>
        {t("portalSettings.preview")}
      </Text>
      {values.enabled === false && (
        <Text c="red" size="sm">
          {t("portalSettings.disabledNote")}
        </Text>
      )}
      <iframe
        ref={frame}
        src="/portal/preview"
        title={t("portalSettings.previewFrame")}
        style={{ width: "100%", height: 640, border: "1px solid var(--mantine-color-gray-4)", borderRadius: 8, background: "white" }}
      />
    </Stack>
  );
}
