import { describe, expect, it } from "vitest";

import { sampleView } from "./portal-preview";

const NOW = new Date("2026-11-25T10:00:00Z");
const settings = {
  enabled: true,
  title: "",
  logo_url: "",
  accent_color: "#aa3300",
  welcome_text: "Willkommen!",
  footer_text: "Impressum: Musterstraße 1",
  default_download_limit: 5 as number | "",
  validity_days: 30 as number | "",
  invoice_download: false,
  contact_form: true,
  support_email: "hilfe@example.com",
};

describe("sampleView", () => {
  it("shows the shop as the settings describe it", () => {
    const view = sampleView(settings, "Hörbuch Manufaktur", "de", NOW);
    expect(view.shop).toMatchObject({
      title: "Hörbuch Manufaktur",
      accent_color: "#aa3300",
      welcome_text: "Willkommen!",
      footer_text: "Impressum: Musterstraße 1",
      support_email: "hilfe@example.com",
      logo_url: null,
    });
    expect(view.contact_form).toBe(true);
    expect(view.invoice_available).toBe(false);
    expect(view.order.language).toBe("de");
  });

  it("gives the sample file the default downloads and days", () => {
    const file = sampleView(settings, "Shop", "en", NOW).order.items[0]!.files[0]!;
    expect(file).toMatchObject({ max_downloads: 5, downloads_left: 5, available: true, expires_at: "2026-12-25T10:00:00.000Z" });
    const open = sampleView({ ...settings, default_download_limit: "", validity_days: "" }, "Shop", "en", NOW).order.items[0]!.files[0]!;
    expect(open).toMatchObject({ max_downloads: null, expires_at: null });
  });

  it("takes only an https logo and a full colour, as the server does", () => {
    expect(sampleView({ ...settings, logo_url: " https://cdn.example.com/logo.png " }, "Shop", "de", NOW).shop.logo_url).toBe("https://cdn.example.com/logo.png");
    expect(sampleView({ ...settings, logo_url: "http://cdn.example.com/logo.png" }, "Shop", "de", NOW).shop.logo_url).toBeNull();
    expect(sampleView({ ...settings, accent_color: "#abc" }, "Shop", "de", NOW).shop.accent_color).toBe("#2f6f4f");
  });

  it("shows a switched-off portal as customers meet it", () => {
    const view = sampleView({ ...settings, enabled: false }, "Shop", "de", NOW);
    expect(view.order_state).toBe("portal_disabled");
    expect(view.order.items[0]!.files[0]).toMatchObject({ available: false, reason: "portal_disabled" });
  });
});
